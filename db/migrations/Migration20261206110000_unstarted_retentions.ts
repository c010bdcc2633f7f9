import { Migration } from '@mikro-orm/migrations';

// Assets whose retention workflow Temporal did not answer (db/entities/UnstartedRetention.ts):
// uploads kept without their workflow's start, deletions not yet told. The unstarted
// sweep of the same namespace starts or tells their workflows once Temporal answers.
// Empty while Temporal is up.
export class Migration20261206110000_unstarted_retentions extends Migration {
  override name = 'Migration20261206110000_unstarted_retentions';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "unstarted_retentions" ("asset_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, "deletion" jsonb null, primary key ("asset_id"));`,
    );
    this.addSql(
      `create index "unstarted_retentions_namespace_index" on "unstarted_retentions" ("namespace");`,
    );
    this.addSql(
      `alter table "unstarted_retentions" add constraint "unstarted_retentions_asset_id_foreign" foreign key ("asset_id") references "assets" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_retentions" cascade;`);
  }
}
