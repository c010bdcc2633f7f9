import { Migration } from '@mikro-orm/migrations';

// Stripe's subscription events the webhook took while Temporal did not answer, kept with
// their receipt for the unstarted sweep, which gives them to their workflows. Empty while
// Temporal is up.
export class Migration20261207152415_untold_subscription_events extends Migration {
  override name = 'Migration20261207152415_untold_subscription_events';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "untold_subscription_events" ("id" bigserial primary key, "namespace" varchar(255) not null, "subscription_id" uuid not null, "event" jsonb not null, "failed_at" timestamptz not null);`,
    );
    this.addSql(
      `create index "untold_subscription_events_namespace_index" on "untold_subscription_events" ("namespace");`,
    );
    this.addSql(
      `create index "untold_subscription_events_subscription_id_index" on "untold_subscription_events" ("subscription_id");`,
    );
    this.addSql(
      `alter table "untold_subscription_events" add constraint "untold_subscription_events_subscription_id_foreign" foreign key ("subscription_id") references "subscriptions" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "untold_subscription_events" cascade;`);
  }
}
