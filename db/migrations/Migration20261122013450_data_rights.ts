import { Migration } from '@mikro-orm/migrations';

export class Migration20261122013450_data_rights extends Migration {
  override name = 'Migration20261122013450_data_rights';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "analytics_daily_totals" ("day" date not null, "type" text not null, "name" varchar(100) not null, "events" int not null, "value_ms_sum" bigint not null default '0', "value_count" int not null default 0, primary key ("day", "type", "name"));`,
    );

    this.addSql(
      `create table "data_recipients" ("id" uuid not null, "user_id" uuid null, "job_id" uuid not null, "provider" varchar(32) not null, "provider_task_id" varchar(255) not null, "data_categories" jsonb not null, "input_count" int not null default 0, "sent_at" timestamptz not null, "erasure_requested_at" timestamptz null, "erasure_outcome" text null, "erasure_completed_at" timestamptz null, "erasure_detail" varchar(200) null, primary key ("id"));`,
    );
    this.addSql(`create index "data_recipients_user_id_index" on "data_recipients" ("user_id");`);
    this.addSql(`create index "data_recipients_job_id_index" on "data_recipients" ("job_id");`);
    this.addSql(
      `alter table "data_recipients" add constraint "data_recipients_provider_provider_task_id_unique" unique ("provider", "provider_task_id");`,
    );

    this.addSql(
      `create table "deletion_certificates" ("id" uuid not null, "request_id" uuid not null, "subject_id" uuid not null, "origin" text not null, "issued_at" timestamptz not null, "contents" jsonb not null, "certificate_hash" varchar(64) not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "deletion_certificates" add constraint "deletion_certificates_request_id_unique" unique ("request_id");`,
    );
    this.addSql(
      `create index "deletion_certificates_subject_id_index" on "deletion_certificates" ("subject_id");`,
    );

    this.addSql(
      `create table "policy_versions" ("version" varchar(32) not null, "published_at" timestamptz not null, "material" boolean not null, "requires_consent" boolean not null, "summary" text not null, "published_by" uuid null, primary key ("version"));`,
    );
    this.addSql(`create index "policy_versions_published_at_index" on "policy_versions" ("published_at");`);

    this.addSql(
      `create table "email_log" ("id" bigserial primary key, "dedupe_key" varchar(200) not null, "user_id" uuid null, "recipient_hash" varchar(64) not null, "template" varchar(64) not null, "category" text not null, "sent_at" timestamptz not null);`,
    );
    this.addSql(
      `alter table "email_log" add constraint "email_log_dedupe_key_unique" unique ("dedupe_key");`,
    );
    this.addSql(`create index "email_log_user_id_index" on "email_log" ("user_id");`);
    this.addSql(`create index "email_log_sent_at_index" on "email_log" ("sent_at");`);

    this.addSql(
      `alter table "privacy_requests" add "verification_code_hash" varchar(64) null, add "verification_sent_at" timestamptz null, add "verification_expires_at" timestamptz null, add "verification_attempts" int not null default 0, add "expires_at" timestamptz null, add "origin" text not null default 'user', add "paused_reason" text null, add "details" jsonb not null default '{}', add "result_asset_id" uuid null, add "extension_notice_sent_at" timestamptz null;`,
    );
    this.addSql(
      `alter table "privacy_requests" add constraint "privacy_requests_origin_check" check ("origin" in ('user', 'minor'));`,
    );
    this.addSql(
      `alter table "privacy_requests" add constraint "privacy_requests_paused_reason_check" check ("paused_reason" in ('legal_hold'));`,
    );

    this.addSql(
      `alter table "analytics_daily_totals" add constraint "analytics_daily_totals_type_check" check ("type" in ('page_view', 'feature_use', 'load_time', 'error'));`,
    );

    this.addSql(
      `alter table "data_recipients" add constraint "data_recipients_erasure_outcome_check" check ("erasure_outcome" in ('deleted', 'not_found', 'not_supported', 'failed'));`,
    );

    this.addSql(
      `alter table "deletion_certificates" add constraint "deletion_certificates_origin_check" check ("origin" in ('user', 'minor'));`,
    );
    this.addSql(
      `create or replace function "deletion_certificates_deletion_certificates_no_update_fn"() returns trigger as $$ begin raise exception 'deletion_certificates is append-only'; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "deletion_certificates_no_update" BEFORE UPDATE OR DELETE on "deletion_certificates" for each ROW execute function "deletion_certificates_deletion_certificates_no_update_fn"();`,
    );

    this.addSql(
      `alter table "email_log" add constraint "email_log_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "email_log" add constraint "email_log_category_check" check ("category" in ('transactional', 'marketing'));`,
    );

    // Written by hand: the schema diff does not list TRUNCATE triggers (see the storage
    // migration). With it, no statement can empty the certificates either (R-PROOF).
    this.addSql(
      `create or replace function "deletion_certificates_no_truncate_fn"() returns trigger as $$ begin raise exception 'deletion_certificates is append-only'; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "deletion_certificates_no_truncate" BEFORE TRUNCATE on "deletion_certificates" for each STATEMENT execute function "deletion_certificates_no_truncate_fn"();`,
    );
    // The policy in force when versioning began (domain/retention-policy.ts POLICY_VERSION): every
    // account accepted it at sign-up, so it needs no further consent (D-POLICY).
    this.addSql(
      `insert into "policy_versions" ("version", "published_at", "material", "requires_consent", "summary") values ('2026-11-01', '2026-11-01T00:00:00Z', true, false, 'First published privacy policy.') on conflict do nothing;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "analytics_daily_totals" cascade;`);
    this.addSql(`drop table if exists "data_recipients" cascade;`);
    this.addSql(`drop trigger if exists "deletion_certificates_no_truncate" on "deletion_certificates";`);
    this.addSql(`drop function if exists "deletion_certificates_no_truncate_fn"();`);
    this.addSql(`drop trigger if exists "deletion_certificates_no_update" on "deletion_certificates";`);
    this.addSql(`drop function if exists "deletion_certificates_deletion_certificates_no_update_fn"();`);
    this.addSql(`drop table if exists "deletion_certificates" cascade;`);
    this.addSql(`drop table if exists "policy_versions" cascade;`);
    this.addSql(`drop table if exists "email_log" cascade;`);

    this.addSql(`alter table "privacy_requests" drop constraint "privacy_requests_origin_check";`);
    this.addSql(`alter table "privacy_requests" drop constraint "privacy_requests_paused_reason_check";`);
    this.addSql(
      `alter table "privacy_requests" drop column "verification_code_hash", drop column "verification_sent_at", drop column "verification_expires_at", drop column "verification_attempts", drop column "expires_at", drop column "origin", drop column "paused_reason", drop column "details", drop column "result_asset_id", drop column "extension_notice_sent_at";`,
    );
  }
}
