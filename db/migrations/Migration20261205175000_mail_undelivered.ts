import { Migration } from '@mikro-orm/migrations';

// An email a workflow's step met only passing failures for, for the whole delivery
// window (domain/consent.ts, MAIL_DELIVERY_WINDOW_MS), is logged as `undelivered`.
export class Migration20261205175000_mail_undelivered extends Migration {
  override name = 'Migration20261205175000_mail_undelivered';

  override up(): void | Promise<void> {
    this.addSql(`alter table "email_log" drop constraint "email_log_outcome_check";`);
    this.addSql(
      `alter table "email_log" add constraint "email_log_outcome_check" check ("outcome" in ('sent', 'refused', 'undelivered'));`,
    );
  }

  override down(): void | Promise<void> {
    // Never delivered, as a refused one was not: the closest the earlier schema has.
    this.addSql(`update "email_log" set "outcome" = 'refused' where "outcome" = 'undelivered';`);
    this.addSql(`alter table "email_log" drop constraint "email_log_outcome_check";`);
    this.addSql(
      `alter table "email_log" add constraint "email_log_outcome_check" check ("outcome" in ('sent', 'refused'));`,
    );
  }
}
