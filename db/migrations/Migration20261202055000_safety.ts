import { Migration } from '@mikro-orm/migrations';

export class Migration20261202055000_safety extends Migration {
  override name = 'Migration20261202055000_safety';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "incidents" ("id" uuid not null, "title" varchar(200) not null, "description" text not null, "measures" text not null, "categories" jsonb not null, "discovered_at" timestamptz not null, "window_start" timestamptz not null, "window_end" timestamptz not null, "recorded_by" uuid not null, "recorded_at" timestamptz not null, "deadline_at" timestamptz not null, "status" text not null default 'finding_affected', "affected_found_at" timestamptz null, "affected_count" int null, "notices_started_at" timestamptz null, "notices_sent" int not null default 0, "notices_completed_at" timestamptz null, "authority_notified_at" timestamptz null, "authority_notified_by" uuid null, "authority_reference" varchar(200) null, "deadline_missed_at" timestamptz null, "closed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "incidents_recorded_at_index" on "incidents" ("recorded_at");`);

    this.addSql(
      `create table "takedown_requests" ("id" uuid not null, "reason" text not null, "details" text not null, "named" varchar(2000) not null, "target_type" text not null, "target_id" uuid not null, "owner_id" uuid null, "reporter_id" uuid null, "reporter_email" varchar(320) null, "status" text not null default 'awaiting_decision', "filed_at" timestamptz not null, "decision" text null, "decision_reason" text null, "decided_by" uuid null, "decided_at" timestamptz null, "removed" jsonb not null default '[]', "removed_at" timestamptz null, "creator_notified_at" timestamptz null, "reporter_notified_at" timestamptz null, "answer" text null, "answered_at" timestamptz null, "answer_due_at" timestamptz null, "closed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "takedown_requests_target_id_index" on "takedown_requests" ("target_id");`);
    this.addSql(`create index "takedown_requests_owner_id_index" on "takedown_requests" ("owner_id");`);
    this.addSql(`create index "takedown_requests_filed_at_index" on "takedown_requests" ("filed_at");`);

    this.addSql(
      `create table "moderation_reviews" ("id" uuid not null, "kind" text not null, "subject" text not null, "job_id" uuid null, "asset_id" uuid null, "user_id" uuid not null, "reason" text null, "categories" jsonb not null default '[]', "scores" jsonb null, "note" text null, "created_at" timestamptz not null, "decided_at" timestamptz null, "decided_by" uuid null, "approved" boolean null, "decision_reason" text null, primary key ("id"));`,
    );
    this.addSql(`create index "moderation_reviews_user_id_index" on "moderation_reviews" ("user_id");`);
    this.addSql(`create index "moderation_reviews_created_at_index" on "moderation_reviews" ("created_at");`);
    this.addSql(
      `alter table "moderation_reviews" add constraint "moderation_reviews_job_id_subject_unique" unique ("job_id", "subject");`,
    );
    this.addSql(
      `alter table "moderation_reviews" add constraint "moderation_reviews_asset_id_unique" unique ("asset_id");`,
    );

    this.addSql(
      `create table "incident_notices" ("id" bigserial primary key, "incident_id" uuid not null, "user_id" uuid null, "status" text not null default 'pending', "claimed_at" timestamptz null, "sent_at" timestamptz null);`,
    );
    this.addSql(
      `create index "incident_notices_incident_id_status_index" on "incident_notices" ("incident_id", "status");`,
    );
    this.addSql(
      `alter table "incident_notices" add constraint "incident_notices_incident_id_user_id_unique" unique ("incident_id", "user_id");`,
    );

    this.addSql(`alter table "deletion_proofs" drop constraint "deletion_proofs_reason_check";`);
    this.addSql(
      `alter table "deletion_proofs" add constraint "deletion_proofs_reason_check" check ("reason" in ('timer', 'user', 'account_deletion', 'minor', 'orphan', 'job_finished', 'moderation', 'takedown'));`,
    );

    this.addSql(
      `alter table "generation_jobs" add "review_of_job_id" uuid null, add "takedown_id" uuid null;`,
    );
    this.addSql(
      `alter table "generation_jobs" add constraint "generation_jobs_review_of_job_id_unique" unique ("review_of_job_id");`,
    );

    this.addSql(`alter table "consents" drop constraint "consents_purpose_check";`);
    this.addSql(
      `alter table "consents" add constraint "consents_purpose_check" check ("purpose" in ('analytics', 'marketing_email', 'privacy_policy'));`,
    );

    this.addSql(`alter table "assets" drop constraint "assets_deletion_reason_check";`);
    this.addSql(
      `alter table "assets" add "moderation" text null, add "moderation_scores" jsonb null, add "takedown_id" uuid null;`,
    );
    this.addSql(
      `alter table "assets" add constraint "assets_moderation_check" check ("moderation" in ('passed', 'held', 'refused', 'approved', 'rejected'));`,
    );
    this.addSql(
      `alter table "assets" add constraint "assets_deletion_reason_check" check ("deletion_reason" in ('timer', 'user', 'account_deletion', 'minor', 'orphan', 'job_finished', 'moderation', 'takedown'));`,
    );

    this.addSql(
      `alter table "incidents" add constraint "incidents_status_check" check ("status" in ('finding_affected', 'notifying', 'notified', 'closed'));`,
    );

    this.addSql(
      `alter table "takedown_requests" add constraint "takedown_requests_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "takedown_requests" add constraint "takedown_requests_reporter_id_foreign" foreign key ("reporter_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "takedown_requests" add constraint "takedown_requests_reason_check" check ("reason" in ('illegal_content', 'deepfake', 'copyright'));`,
    );
    this.addSql(
      `alter table "takedown_requests" add constraint "takedown_requests_target_type_check" check ("target_type" in ('job', 'asset'));`,
    );
    this.addSql(
      `alter table "takedown_requests" add constraint "takedown_requests_status_check" check ("status" in ('awaiting_decision', 'removing', 'awaiting_answer', 'closed'));`,
    );
    this.addSql(
      `alter table "takedown_requests" add constraint "takedown_requests_decision_check" check ("decision" in ('upheld', 'rejected'));`,
    );

    this.addSql(
      `alter table "moderation_reviews" add constraint "moderation_reviews_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "moderation_reviews" add constraint "moderation_reviews_kind_check" check ("kind" in ('held', 'requested'));`,
    );
    this.addSql(
      `alter table "moderation_reviews" add constraint "moderation_reviews_subject_check" check ("subject" in ('prompt', 'output', 'upload'));`,
    );

    this.addSql(
      `alter table "incident_notices" add constraint "incident_notices_incident_id_foreign" foreign key ("incident_id") references "incidents" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "incident_notices" add constraint "incident_notices_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete set null;`,
    );
    this.addSql(
      `alter table "incident_notices" add constraint "incident_notices_status_check" check ("status" in ('pending', 'sending', 'sent', 'unconfirmed', 'no_address'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "incident_notices" drop constraint "incident_notices_incident_id_foreign";`);

    this.addSql(`drop table if exists "incidents" cascade;`);
    this.addSql(`drop table if exists "takedown_requests" cascade;`);
    this.addSql(`drop table if exists "moderation_reviews" cascade;`);
    this.addSql(`drop table if exists "incident_notices" cascade;`);

    this.addSql(`alter table "assets" drop constraint "assets_moderation_check";`);
    this.addSql(`alter table "assets" drop constraint "assets_deletion_reason_check";`);
    this.addSql(
      `alter table "assets" drop column "moderation", drop column "moderation_scores", drop column "takedown_id";`,
    );
    this.addSql(
      `alter table "assets" add constraint "assets_deletion_reason_check" check ("deletion_reason" in ('timer', 'user', 'account_deletion', 'minor', 'orphan', 'job_finished'));`,
    );

    this.addSql(`alter table "consents" drop constraint "consents_purpose_check";`);
    this.addSql(
      `alter table "consents" add constraint "consents_purpose_check" check ("purpose" in ('analytics', 'marketing_email'));`,
    );

    this.addSql(`alter table "deletion_proofs" drop constraint "deletion_proofs_reason_check";`);
    this.addSql(
      `alter table "deletion_proofs" add constraint "deletion_proofs_reason_check" check ("reason" in ('timer', 'user', 'account_deletion', 'minor', 'orphan', 'job_finished'));`,
    );

    this.addSql(`alter table "generation_jobs" drop constraint "generation_jobs_review_of_job_id_unique";`);
    this.addSql(`alter table "generation_jobs" drop column "review_of_job_id", drop column "takedown_id";`);
  }
}
