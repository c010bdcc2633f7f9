import { Migration } from '@mikro-orm/migrations';

// Signals Temporal did not take while it did not answer, for changes already made
// (db/entities/UntoldSignal.ts): the unstarted sweep of the same namespace sends them once
// Temporal answers. Empty while Temporal is up.
export class Migration20261206060000_untold_signals extends Migration {
  override name = 'Migration20261206060000_untold_signals';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "untold_signals" ("id" bigserial primary key, "namespace" varchar(255) not null, "workflow_id" varchar(255) not null, "signal" varchar(100) not null, "args" jsonb not null, "failed_at" timestamptz not null);`,
    );
    this.addSql(`create index "untold_signals_namespace_index" on "untold_signals" ("namespace");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "untold_signals" cascade;`);
  }
}
