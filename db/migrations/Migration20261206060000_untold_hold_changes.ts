import { Migration } from '@mikro-orm/migrations';

// Holds placed or released while Temporal did not answer their signals
// (db/entities/UntoldHoldChange.ts): the unstarted sweep of the same namespace tells the
// workflows once Temporal answers. Empty while Temporal is up.
export class Migration20261206060000_untold_hold_changes extends Migration {
  override name = 'Migration20261206060000_untold_hold_changes';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "untold_hold_changes" ("hold_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("hold_id"));`,
    );
    this.addSql(`create index "untold_hold_changes_namespace_index" on "untold_hold_changes" ("namespace");`);
    this.addSql(
      `alter table "untold_hold_changes" add constraint "untold_hold_changes_hold_id_foreign" foreign key ("hold_id") references "legal_holds" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "untold_hold_changes" cascade;`);
  }
}
