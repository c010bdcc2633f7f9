import { Migration } from '@mikro-orm/migrations';

// Material policy changes whose announcement Temporal did not answer the start of
// (db/entities/UnstartedPolicyAnnouncement.ts): the unstarted sweep of the same namespace
// starts them once Temporal answers. Empty while Temporal is up.
export class Migration20261206210000_unstarted_policy_announcements extends Migration {
  override name = 'Migration20261206210000_unstarted_policy_announcements';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "unstarted_policy_announcements" ("version" varchar(32) not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("version"));`,
    );
    this.addSql(
      `create index "unstarted_policy_announcements_namespace_index" on "unstarted_policy_announcements" ("namespace");`,
    );
    this.addSql(
      `alter table "unstarted_policy_announcements" add constraint "unstarted_policy_announcements_version_foreign" foreign key ("version") references "policy_versions" ("version") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_policy_announcements" cascade;`);
  }
}
