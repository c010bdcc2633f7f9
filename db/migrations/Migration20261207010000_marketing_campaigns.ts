import { Migration } from '@mikro-orm/migrations';

// Marketing campaigns stored before their start (db/entities/MarketingCampaign.ts): a
// request sent again with its Idempotency-Key finds its campaign, and a start Temporal
// did not answer is kept in `unstarted_marketing_campaigns` for the unstarted sweep of
// the same namespace. The second is empty while Temporal is up.
export class Migration20261207010000_marketing_campaigns extends Migration {
  override name = 'Migration20261207010000_marketing_campaigns';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "marketing_campaigns" ("id" uuid not null, "sent_by" uuid not null, "idempotency_key" varchar(128) null, "subject" varchar(200) not null, "body" text not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create table "unstarted_marketing_campaigns" ("campaign_id" uuid not null, "namespace" varchar(255) not null, "failed_at" timestamptz not null, primary key ("campaign_id"));`,
    );
    this.addSql(
      `create index "unstarted_marketing_campaigns_namespace_index" on "unstarted_marketing_campaigns" ("namespace");`,
    );
    this.addSql(
      `alter table "unstarted_marketing_campaigns" add constraint "unstarted_marketing_campaigns_campaign_id_foreign" foreign key ("campaign_id") references "marketing_campaigns" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "unstarted_marketing_campaigns" cascade;`);
    this.addSql(`drop table if exists "marketing_campaigns" cascade;`);
  }
}
