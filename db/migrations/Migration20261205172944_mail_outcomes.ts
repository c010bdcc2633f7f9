import { Migration } from '@mikro-orm/migrations';

// What became of an email (domain/consent.ts, EMAIL_OUTCOMES): the email log keeps a
// refusal for good as `refused`, and one a workflow's step met only passing failures for,
// for the whole delivery window, as `undelivered`; an incident's notice the mail server
// refused is `refused` too. Every row logged before this was taken by the relay: `sent`.
export class Migration20261205172944_mail_outcomes extends Migration {
  override name = 'Migration20261205172944_mail_outcomes';

  override up(): void | Promise<void> {
    this.addSql(`alter table "incident_notices" drop constraint "incident_notices_status_check";`);
    this.addSql(
      `alter table "incident_notices" add constraint "incident_notices_status_check" check ("status" in ('pending', 'sending', 'sent', 'unconfirmed', 'no_address', 'refused'));`,
    );

    this.addSql(`alter table "email_log" add "outcome" text not null default 'sent';`);
    this.addSql(
      `alter table "email_log" add constraint "email_log_outcome_check" check ("outcome" in ('sent', 'refused', 'undelivered'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "email_log" drop constraint "email_log_outcome_check";`);
    this.addSql(`alter table "email_log" drop column "outcome";`);

    // A refused notice was not sent: it goes back to the status a person checks.
    this.addSql(`update "incident_notices" set "status" = 'unconfirmed' where "status" = 'refused';`);
    this.addSql(`alter table "incident_notices" drop constraint "incident_notices_status_check";`);
    this.addSql(
      `alter table "incident_notices" add constraint "incident_notices_status_check" check ("status" in ('pending', 'sending', 'sent', 'unconfirmed', 'no_address'));`,
    );
  }
}
