import { Migration } from '@mikro-orm/migrations';

// Minors' accounts whose timer Temporal did not answer the start of
// (db/entities/UnstartedParentalConsent.ts): the unstarted sweep of the same namespace
// starts each timer once Temporal answers. Empty while Temporal is up.
export class Migration20261207020000_unstarted_parental_consents extends Migration {
  override name = 'Migration20261207020000_unstarted_parental_consents';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "unstarted_parental_consents" ("user_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("user_id"));`,
    );
    this.addSql(
      `create index "unstarted_parental_consents_namespace_index" on "unstarted_parental_consents" ("namespace");`,
    );
    this.addSql(
      `alter table "unstarted_parental_consents" add constraint "unstarted_parental_consents_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_parental_consents" cascade;`);
  }
}
