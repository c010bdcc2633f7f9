import { Migration } from '@mikro-orm/migrations';

export class Migration20261202011126_staff_enrolment extends Migration {
  override name = 'Migration20261202011126_staff_enrolment';

  override up(): void | Promise<void> {
    this.addSql(`alter table "account_tokens" drop constraint "account_tokens_purpose_check";`);
    this.addSql(
      `alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('verify_email', 'reset_password', 'parental_consent', 'staff_enrolment'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "account_tokens" drop constraint "account_tokens_purpose_check";`);
    this.addSql(
      `alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('verify_email', 'reset_password', 'parental_consent'));`,
    );
  }
}
