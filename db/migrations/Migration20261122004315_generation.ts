import { Migration } from '@mikro-orm/migrations';

export class Migration20261122004315_generation extends Migration {
  override name = 'Migration20261122004315_generation';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "provider_health" ("provider" varchar(32) not null, "consecutive_failures" int not null default 0, "open_until" timestamptz null, "last_failure_at" timestamptz null, "last_success_at" timestamptz null, primary key ("provider"));`,
    );

    this.addSql(
      `create table "price_quotes" ("id" uuid not null, "user_id" uuid not null, "request_hash" varchar(64) not null, "model" varchar(64) not null, "credits" int not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "price_quotes_user_id_index" on "price_quotes" ("user_id");`);

    this.addSql(`alter table "users" add "credit_balance" int not null default 0;`);
    this.addSql(
      `alter table "users" add constraint "users_credit_balance_check" check (credit_balance >= 0);`,
    );

    this.addSql(
      `alter table "generation_jobs" add "request_hash" varchar(64) not null, add "quote_id" uuid null, add "original_model" varchar(64) null, add "moderation_verdict" varchar(16) null, add "moderation_categories" jsonb null, add "reviewed_by" uuid null, add "reviewed_at" timestamptz null, add "review_reason" text null, add "submit_attempted_at" timestamptz null, add "submitted_at" timestamptz null;`,
    );
    this.addSql(`create index "generation_jobs_parent_job_id_index" on "generation_jobs" ("parent_job_id");`);
    this.addSql(`create index "generation_jobs_created_at_index" on "generation_jobs" ("created_at");`);

    this.addSql(`alter table "credit_ledger" add "credits" int not null;`);
    this.addSql(
      `alter table "credit_ledger" add constraint "credit_ledger_credits_check" check (credits >= 0);`,
    );

    this.addSql(
      `alter table "price_quotes" add constraint "price_quotes_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "provider_health" cascade;`);
    this.addSql(`drop table if exists "price_quotes" cascade;`);

    this.addSql(`alter table "credit_ledger" drop constraint "credit_ledger_credits_check";`);
    this.addSql(`alter table "credit_ledger" drop column "credits";`);

    this.addSql(`drop index "generation_jobs_parent_job_id_index";`);
    this.addSql(`drop index "generation_jobs_created_at_index";`);
    this.addSql(
      `alter table "generation_jobs" drop column "request_hash", drop column "quote_id", drop column "original_model", drop column "moderation_verdict", drop column "moderation_categories", drop column "reviewed_by", drop column "reviewed_at", drop column "review_reason", drop column "submit_attempted_at", drop column "submitted_at";`,
    );

    this.addSql(`alter table "users" drop constraint "users_credit_balance_check";`);
    this.addSql(`alter table "users" drop column "credit_balance";`);
  }
}
