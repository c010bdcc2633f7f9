import { Migration } from '@mikro-orm/migrations';

export class Migration20261122002623_accounts extends Migration {
  override name = 'Migration20261122002623_accounts';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "rate_limit_buckets" ("key" varchar(128) not null, "hits" int not null, "reset_at" timestamptz not null, primary key ("key"));`,
    );
    this.addSql(`create index "rate_limit_buckets_reset_at_index" on "rate_limit_buckets" ("reset_at");`);

    this.addSql(
      `create table "sign_in_failures" ("email_hash" varchar(64) not null, "failures" int not null, "last_failed_at" timestamptz not null, "locked_until" timestamptz null, primary key ("email_hash"));`,
    );

    this.addSql(
      `create table "mfa_recovery_codes" ("id" uuid not null, "user_id" uuid not null, "code_hash" varchar(64) not null, "created_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "mfa_recovery_codes_user_id_index" on "mfa_recovery_codes" ("user_id");`);
    this.addSql(
      `alter table "mfa_recovery_codes" add constraint "mfa_recovery_codes_code_hash_unique" unique ("code_hash");`,
    );

    this.addSql(
      `create table "account_tokens" ("id" uuid not null, "user_id" uuid not null, "purpose" text not null, "token_hash" varchar(64) not null, "sent_to" varchar(320) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "account_tokens_user_id_index" on "account_tokens" ("user_id");`);
    this.addSql(
      `alter table "account_tokens" add constraint "account_tokens_token_hash_unique" unique ("token_hash");`,
    );

    this.addSql(`alter table "users" add "mfa_last_time_step" bigint null;`);

    this.addSql(
      `alter table "mfa_recovery_codes" add constraint "mfa_recovery_codes_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "account_tokens" add constraint "account_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "account_tokens" add constraint "account_tokens_purpose_check" check ("purpose" in ('verify_email', 'reset_password', 'parental_consent'));`,
    );

    // S-AUDIT: the audit log is append-only; the application cannot change or remove an event.
    this.addSql(`create function audit_events_append_only() returns trigger language plpgsql as $$
      begin raise exception 'audit_events is append-only'; end $$;`);
    this.addSql(`create trigger audit_events_no_update before update or delete on "audit_events"
      for each row execute function audit_events_append_only();`);
    this.addSql(`create trigger audit_events_no_truncate before truncate on "audit_events"
      for each statement execute function audit_events_append_only();`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists audit_events_no_truncate on "audit_events";`);
    this.addSql(`drop trigger if exists audit_events_no_update on "audit_events";`);
    this.addSql(`drop function if exists audit_events_append_only();`);
    this.addSql(`drop table if exists "rate_limit_buckets" cascade;`);
    this.addSql(`drop table if exists "sign_in_failures" cascade;`);
    this.addSql(`drop table if exists "mfa_recovery_codes" cascade;`);
    this.addSql(`drop table if exists "account_tokens" cascade;`);

    this.addSql(`alter table "users" drop column "mfa_last_time_step";`);
  }
}
