import { Migration } from '@mikro-orm/migrations';

// A marketing campaign's end and how many emails it sent, recorded by its workflow's
// last activity, so the admin's page reads them from PostgreSQL.
export class Migration20261207030000_marketing_campaign_sent extends Migration {
  override name = 'Migration20261207030000_marketing_campaign_sent';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "marketing_campaigns" add column "finished_at" timestamptz null, add column "sent" int null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "marketing_campaigns" drop column "finished_at", drop column "sent";`);
  }
}
