import { Migration } from '@mikro-orm/migrations';

// Script runs saved while Temporal did not answer their workflow's start
// (db/entities/UnstartedScriptRun.ts): the unstarted sweep of the same namespace starts
// them once Temporal answers. Empty while Temporal is up.
export class Migration20261206053000_unstarted_script_runs extends Migration {
  override name = 'Migration20261206053000_unstarted_script_runs';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "unstarted_script_runs" ("revision_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("revision_id"));`,
    );
    this.addSql(
      `create index "unstarted_script_runs_namespace_index" on "unstarted_script_runs" ("namespace");`,
    );
    this.addSql(
      `alter table "unstarted_script_runs" add constraint "unstarted_script_runs_revision_id_foreign" foreign key ("revision_id") references "script_revisions" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_script_runs" cascade;`);
  }
}
