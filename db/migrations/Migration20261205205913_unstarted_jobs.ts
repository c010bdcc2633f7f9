import { Migration } from '@mikro-orm/migrations';

// Jobs saved while Temporal did not answer their workflow's start
// (db/entities/UnstartedJob.ts): the unstarted-jobs sweep of the same namespace starts them
// once Temporal answers. Empty while Temporal is up.
export class Migration20261205205913_unstarted_jobs extends Migration {
  override name = 'Migration20261205205913_unstarted_jobs';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "unstarted_jobs" ("job_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("job_id"));`,
    );
    this.addSql(`create index "unstarted_jobs_namespace_index" on "unstarted_jobs" ("namespace");`);
    this.addSql(
      `alter table "unstarted_jobs" add constraint "unstarted_jobs_job_id_foreign" foreign key ("job_id") references "generation_jobs" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_jobs" cascade;`);
  }
}
