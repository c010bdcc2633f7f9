import { Migration } from '@mikro-orm/migrations';

// Incidents whose workflow Temporal did not answer the start of
// (db/entities/UnstartedIncident.ts): the unstarted sweep of the same namespace starts
// them once Temporal answers. Empty while Temporal is up.
export class Migration20261206170000_unstarted_incidents extends Migration {
  override name = 'Migration20261206170000_unstarted_incidents';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "unstarted_incidents" ("incident_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("incident_id"));`,
    );
    this.addSql(`create index "unstarted_incidents_namespace_index" on "unstarted_incidents" ("namespace");`);
    this.addSql(
      `alter table "unstarted_incidents" add constraint "unstarted_incidents_incident_id_foreign" foreign key ("incident_id") references "incidents" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_incidents" cascade;`);
  }
}
