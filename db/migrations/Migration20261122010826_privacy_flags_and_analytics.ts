import { Migration } from '@mikro-orm/migrations';

export class Migration20261122010826_privacy_flags_and_analytics extends Migration {
  override name = 'Migration20261122010826_privacy_flags_and_analytics';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "analytics_events" ("id" bigserial primary key, "user_id" uuid null, "visitor_id" varchar(64) null, "type" text not null, "name" varchar(100) not null, "path" varchar(300) null, "value_ms" int null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "analytics_events_user_id_index" on "analytics_events" ("user_id");`);
    this.addSql(`create index "analytics_events_visitor_id_index" on "analytics_events" ("visitor_id");`);
    this.addSql(`create index "analytics_events_created_at_index" on "analytics_events" ("created_at");`);

    this.addSql(
      `alter table "users" add "objected_to_analytics_at" timestamptz null, add "objected_to_marketing_at" timestamptz null, add "policy_version_accepted" varchar(32) null, add "policy_accepted_at" timestamptz null;`,
    );

    this.addSql(
      `alter table "analytics_events" add constraint "analytics_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "analytics_events" add constraint "analytics_events_type_check" check ("type" in ('page_view', 'feature_use', 'load_time', 'error'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "analytics_events" cascade;`);

    this.addSql(
      `alter table "users" drop column "objected_to_analytics_at", drop column "objected_to_marketing_at", drop column "policy_version_accepted", drop column "policy_accepted_at";`,
    );
  }
}
