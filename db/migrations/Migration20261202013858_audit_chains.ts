import { Migration } from '@mikro-orm/migrations';

// The audit log takes appends on several hash chains side by side instead of queueing
// every writer behind one lock; the events written so far form chain 0.
export class Migration20261202013858_audit_chains extends Migration {
  override name = 'Migration20261202013858_audit_chains';

  override up(): void | Promise<void> {
    this.addSql(`alter table "audit_events" add "chain" smallint not null default 0;`);
    this.addSql(`create index "audit_events_chain_id_index" on "audit_events" ("chain", "id");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "audit_events_chain_id_index";`);
    this.addSql(`alter table "audit_events" drop column "chain";`);
  }
}
