import { Migration } from '@mikro-orm/migrations';

// Rights requests whose workflow Temporal did not answer the start of
// (db/entities/UnstartedRightsRequest.ts): the unstarted sweep of the same namespace starts
// them once Temporal answers. Empty while Temporal is up.
export class Migration20261206150000_unstarted_rights_requests extends Migration {
  override name = 'Migration20261206150000_unstarted_rights_requests';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "unstarted_rights_requests" ("request_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("request_id"));`,
    );
    this.addSql(
      `create index "unstarted_rights_requests_namespace_index" on "unstarted_rights_requests" ("namespace");`,
    );
    this.addSql(
      `alter table "unstarted_rights_requests" add constraint "unstarted_rights_requests_request_id_foreign" foreign key ("request_id") references "rights_requests" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_rights_requests" cascade;`);
  }
}
