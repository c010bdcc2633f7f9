import { Migration } from '@mikro-orm/migrations';

// Take-down requests whose workflow Temporal did not answer the start of
// (db/entities/UnstartedTakedown.ts): the unstarted sweep of the same namespace starts
// them once Temporal answers. Empty while Temporal is up.
export class Migration20261206160000_unstarted_takedowns extends Migration {
  override name = 'Migration20261206160000_unstarted_takedowns';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "unstarted_takedowns" ("takedown_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("takedown_id"));`,
    );
    this.addSql(`create index "unstarted_takedowns_namespace_index" on "unstarted_takedowns" ("namespace");`);
    this.addSql(
      `alter table "unstarted_takedowns" add constraint "unstarted_takedowns_takedown_id_foreign" foreign key ("takedown_id") references "takedown_requests" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_takedowns" cascade;`);
  }
}
