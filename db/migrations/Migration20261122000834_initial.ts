import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000834_initial extends Migration {
  override name = 'Migration20261122000834_initial';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "audit_events" ("id" bigserial primary key, "occurred_at" timestamptz not null, "actor_id" uuid null, "actor_role" varchar(32) null, "action" varchar(64) not null, "target_type" varchar(32) null, "target_id" varchar(255) null, "subject_user_id" uuid null, "details" jsonb not null default '{}', "prev_hash" varchar(64) not null, "hash" varchar(64) not null);`,
    );
    this.addSql(`create index "audit_events_action_index" on "audit_events" ("action");`);
    this.addSql(`create index "audit_events_subject_user_id_index" on "audit_events" ("subject_user_id");`);
    this.addSql(`alter table "audit_events" add constraint "audit_events_hash_unique" unique ("hash");`);

    this.addSql(
      `create table "diagnostic_checks" ("id" uuid not null, "status" text not null default 'running', "object_key" varchar(512) null, "object_sha256" varchar(64) null, "detail" text null, "requested_at" timestamptz not null, "completed_at" timestamptz null, primary key ("id"));`,
    );

    this.addSql(
      `create table "legal_holds" ("id" uuid not null, "user_id" uuid null, "asset_id" uuid null, "reason" text not null, "placed_by" uuid not null, "placed_at" timestamptz not null, "released_by" uuid null, "released_at" timestamptz null, "release_reason" text null, primary key ("id"));`,
    );
    this.addSql(`create index "legal_holds_user_id_index" on "legal_holds" ("user_id");`);
    this.addSql(`create index "legal_holds_asset_id_index" on "legal_holds" ("asset_id");`);

    this.addSql(
      `create table "users" ("id" uuid not null, "email" varchar(320) not null, "email_verified_at" timestamptz null, "name" varchar(200) not null, "password_hash" text null, "google_subject" varchar(255) null, "date_of_birth" date null, "parent_email" varchar(320) null, "parental_consent_at" timestamptz null, "role" text not null default 'creator', "status" text not null default 'active', "mfa_secret" text null, "mfa_enabled_at" timestamptz null, "preferences" jsonb not null default '{}', "restricted_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(
      `alter table "users" add constraint "users_google_subject_unique" unique ("google_subject");`,
    );

    this.addSql(
      `create table "sessions" ("id" uuid not null, "user_id" uuid not null, "token_hash" varchar(64) not null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "expires_at" timestamptz not null, "revoked_at" timestamptz null, "mfa_verified_at" timestamptz null, "ip" varchar(64) null, "user_agent" varchar(512) null, primary key ("id"));`,
    );
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);

    this.addSql(
      `create table "privacy_requests" ("id" uuid not null, "user_id" uuid null, "type" text not null, "jurisdiction" text not null, "status" text not null default 'awaiting_verification', "created_at" timestamptz not null, "verified_at" timestamptz null, "due_at" timestamptz null, "extended_due_at" timestamptz null, "extension_reason" text null, "completed_at" timestamptz null, "workflow_id" varchar(255) null, primary key ("id"));`,
    );
    this.addSql(`create index "privacy_requests_user_id_index" on "privacy_requests" ("user_id");`);

    this.addSql(
      `create table "generation_jobs" ("id" uuid not null, "user_id" uuid null, "idempotency_key" varchar(255) null, "model" varchar(64) not null, "provider" varchar(32) not null, "prompt" text not null, "parameters" jsonb not null, "status" text not null default 'moderating', "provider_task_id" varchar(255) null, "credits_quoted" int not null, "credits_charged" int null, "failure_code" varchar(64) null, "failure_reason" text null, "parent_job_id" uuid null, "revision_kind" varchar(32) null, "output_asset_id" uuid null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "generation_jobs_user_id_index" on "generation_jobs" ("user_id");`);
    this.addSql(
      `alter table "generation_jobs" add constraint "generation_jobs_user_id_idempotency_key_unique" unique ("user_id", "idempotency_key");`,
    );

    this.addSql(
      `create table "credit_ledger" ("id" bigserial primary key, "user_id" uuid null, "kind" text not null, "amount" int not null, "job_id" uuid null, "reference" varchar(255) null, "note" text null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "credit_ledger_user_id_index" on "credit_ledger" ("user_id");`);
    this.addSql(
      `alter table "credit_ledger" add constraint "credit_ledger_job_id_kind_unique" unique ("job_id", "kind");`,
    );
    this.addSql(
      `alter table "credit_ledger" add constraint "credit_ledger_reference_unique" unique ("reference");`,
    );

    this.addSql(
      `create table "consents" ("id" bigserial primary key, "user_id" uuid null, "visitor_id" varchar(64) null, "purpose" text not null, "granted" boolean not null, "policy_version" varchar(32) not null, "source" varchar(64) not null, "created_at" timestamptz not null);`,
    );
    this.addSql(`create index "consents_user_id_index" on "consents" ("user_id");`);
    this.addSql(`create index "consents_visitor_id_index" on "consents" ("visitor_id");`);

    this.addSql(
      `create table "assets" ("id" uuid not null, "user_id" uuid null, "kind" text not null, "status" text not null default 'pending', "object_key" varchar(512) not null, "content_type" varchar(128) null, "size_bytes" bigint null, "sha256" varchar(64) null, "job_id" uuid null, "created_at" timestamptz not null, "stored_at" timestamptz null, "delete_at" timestamptz null, "deleted_at" timestamptz null, "deletion_reason" text null, primary key ("id"));`,
    );
    this.addSql(`create index "assets_user_id_index" on "assets" ("user_id");`);
    this.addSql(`alter table "assets" add constraint "assets_object_key_unique" unique ("object_key");`);
    this.addSql(`create index "assets_job_id_index" on "assets" ("job_id");`);
    this.addSql(`create index "assets_delete_at_index" on "assets" ("delete_at");`);

    this.addSql(
      `alter table "diagnostic_checks" add constraint "diagnostic_checks_status_check" check ("status" in ('running', 'passed', 'failed'));`,
    );

    this.addSql(
      `alter table "users" add constraint "users_role_check" check ("role" in ('creator', 'support', 'legal', 'operator', 'admin'));`,
    );
    this.addSql(
      `alter table "users" add constraint "users_status_check" check ("status" in ('active', 'awaiting_parental_consent', 'suspended_minor', 'deletion_requested', 'deleted'));`,
    );

    this.addSql(
      `alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "privacy_requests" add constraint "privacy_requests_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "privacy_requests" add constraint "privacy_requests_type_check" check ("type" in ('access', 'portability', 'deletion', 'rectification', 'restriction', 'objection', 'consent_withdrawal'));`,
    );
    this.addSql(
      `alter table "privacy_requests" add constraint "privacy_requests_jurisdiction_check" check ("jurisdiction" in ('GDPR', 'CCPA', 'other'));`,
    );
    this.addSql(
      `alter table "privacy_requests" add constraint "privacy_requests_status_check" check ("status" in ('awaiting_verification', 'verified', 'in_progress', 'paused', 'completed', 'rejected', 'expired', 'cancelled'));`,
    );

    this.addSql(
      `alter table "generation_jobs" add constraint "generation_jobs_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "generation_jobs" add constraint "generation_jobs_status_check" check ("status" in ('moderating', 'awaiting_review', 'queued', 'submitted', 'running', 'saving', 'succeeded', 'failed', 'cancelled', 'rejected'));`,
    );

    this.addSql(
      `alter table "credit_ledger" add constraint "credit_ledger_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "credit_ledger" add constraint "credit_ledger_kind_check" check ("kind" in ('grant', 'purchase', 'reserve', 'capture', 'release', 'refund', 'expire'));`,
    );

    this.addSql(
      `alter table "consents" add constraint "consents_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "consents" add constraint "consents_purpose_check" check ("purpose" in ('analytics', 'marketing_email'));`,
    );

    this.addSql(
      `alter table "assets" add constraint "assets_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "assets" add constraint "assets_kind_check" check ("kind" in ('input', 'output', 'export', 'temp'));`,
    );
    this.addSql(
      `alter table "assets" add constraint "assets_status_check" check ("status" in ('pending', 'stored', 'deleted'));`,
    );
    this.addSql(
      `alter table "assets" add constraint "assets_deletion_reason_check" check ("deletion_reason" in ('timer', 'user', 'account_deletion', 'minor', 'orphan', 'job_finished'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);
    this.addSql(`alter table "privacy_requests" drop constraint "privacy_requests_user_id_foreign";`);
    this.addSql(`alter table "generation_jobs" drop constraint "generation_jobs_user_id_foreign";`);
    this.addSql(`alter table "credit_ledger" drop constraint "credit_ledger_user_id_foreign";`);
    this.addSql(`alter table "consents" drop constraint "consents_user_id_foreign";`);
    this.addSql(`alter table "assets" drop constraint "assets_user_id_foreign";`);

    this.addSql(`drop table if exists "audit_events" cascade;`);
    this.addSql(`drop table if exists "diagnostic_checks" cascade;`);
    this.addSql(`drop table if exists "legal_holds" cascade;`);
    this.addSql(`drop table if exists "users" cascade;`);
    this.addSql(`drop table if exists "sessions" cascade;`);
    this.addSql(`drop table if exists "privacy_requests" cascade;`);
    this.addSql(`drop table if exists "generation_jobs" cascade;`);
    this.addSql(`drop table if exists "credit_ledger" cascade;`);
    this.addSql(`drop table if exists "consents" cascade;`);
    this.addSql(`drop table if exists "assets" cascade;`);
  }
}
