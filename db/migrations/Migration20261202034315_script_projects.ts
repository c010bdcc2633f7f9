import { Migration } from '@mikro-orm/migrations';

// Script projects (their scenes, revisions and each revision's scenes), the job's link to
// the project a scene belongs to, the asset kind `intermediate` (R-INTERMEDIATE), and the
// live-state notice of a project.

export class Migration20261202034315_script_projects extends Migration {
  override name = 'Migration20261202034315_script_projects';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "script_projects" ("id" uuid not null, "user_id" uuid not null, "title" varchar(120) not null, "script" text not null, "script_format" text not null, "split_method" text not null, "aspect_ratio" varchar(16) not null, "resolution" varchar(16) not null, "voice_asset_id" uuid null, "voice_language" varchar(16) not null, "burn_subtitles" boolean not null default false, "status" text not null default 'draft', "phase" text null, "phase_progress" double precision null, "status_message" text null, "latest_revision" int null, "running_revision_id" uuid null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "script_projects_user_id_index" on "script_projects" ("user_id");`);

    this.addSql(
      `create table "script_scenes" ("id" uuid not null, "project_id" uuid not null, "position" int not null, "text" text not null, "duration_seconds" int not null, "model_id" varchar(64) not null, "image_asset_id" uuid null, "seed" bigint not null, "job_id" uuid null, "job_render_key" varchar(64) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "script_scenes_project_id_index" on "script_scenes" ("project_id");`);

    this.addSql(
      `create table "script_revisions" ("id" uuid not null, "project_id" uuid not null, "number" int not null, "idempotency_key" varchar(128) not null, "status" text not null default 'running', "credits_quoted" int not null, "aspect_ratio" varchar(16) not null, "resolution" varchar(16) not null, "burn_subtitles" boolean not null, "recording_asset_id" uuid null, "voice_language" varchar(16) not null, "duration_seconds" int not null, "final_asset_id" uuid null, "subtitles_asset_id" uuid null, "voice_track_asset_id" uuid null, "message" text null, "created_at" timestamptz not null, "composed_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`create index "script_revisions_project_id_index" on "script_revisions" ("project_id");`);
    this.addSql(
      `alter table "script_revisions" add constraint "script_revisions_project_id_number_unique" unique ("project_id", "number");`,
    );
    this.addSql(
      `alter table "script_revisions" add constraint "script_revisions_project_id_idempotency_key_unique" unique ("project_id", "idempotency_key");`,
    );

    this.addSql(
      `create table "script_revision_scenes" ("id" uuid not null, "revision_id" uuid not null, "position" int not null, "scene_id" uuid not null, "text" text not null, "duration_seconds" int not null, "model_id" varchar(64) not null, "image_asset_id" uuid null, "job_id" uuid not null, "rendered" boolean not null, "clip_asset_id" uuid null, primary key ("id"));`,
    );
    this.addSql(
      `create index "script_revision_scenes_revision_id_index" on "script_revision_scenes" ("revision_id");`,
    );
    this.addSql(`create index "script_revision_scenes_job_id_index" on "script_revision_scenes" ("job_id");`);
    this.addSql(
      `create index "script_revision_scenes_clip_asset_id_index" on "script_revision_scenes" ("clip_asset_id");`,
    );
    this.addSql(
      `alter table "script_revision_scenes" add constraint "script_revision_scenes_revision_id_position_unique" unique ("revision_id", "position");`,
    );

    this.addSql(`alter table "deletion_proofs" drop constraint "deletion_proofs_kind_check";`);
    this.addSql(
      `alter table "deletion_proofs" add constraint "deletion_proofs_kind_check" check ("kind" in ('input', 'output', 'export', 'temp', 'intermediate'));`,
    );

    this.addSql(`alter table "generation_jobs" add "script_project_id" uuid null;`);
    this.addSql(
      `create index "generation_jobs_script_project_id_index" on "generation_jobs" ("script_project_id");`,
    );

    this.addSql(`alter table "assets" drop constraint "assets_kind_check";`);
    this.addSql(
      `alter table "assets" add constraint "assets_kind_check" check ("kind" in ('input', 'output', 'export', 'temp', 'intermediate'));`,
    );

    this.addSql(
      `alter table "script_projects" add constraint "script_projects_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "script_projects" add constraint "script_projects_script_format_check" check ("script_format" in ('text', 'srt'));`,
    );
    this.addSql(
      `alter table "script_projects" add constraint "script_projects_split_method_check" check ("split_method" in ('local', 'llm'));`,
    );
    this.addSql(
      `alter table "script_projects" add constraint "script_projects_status_check" check ("status" in ('draft', 'running', 'ready', 'incomplete', 'cancelled'));`,
    );
    this.addSql(
      `alter table "script_projects" add constraint "script_projects_phase_check" check ("phase" in ('rendering', 'voicing', 'composing'));`,
    );
    this.addSql(
      `create or replace function "script_projects_script_project_changed_fn"() returns trigger as $$ begin if row(old.status, old.phase, old.phase_progress, old.status_message, old.latest_revision, old.updated_at) is distinct from row(new.status, new.phase, new.phase_progress, new.status_message, new.latest_revision, new.updated_at) then perform pg_notify('script_project', new.id::text); end if; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "script_project_changed" AFTER UPDATE on "script_projects" for each ROW execute function "script_projects_script_project_changed_fn"();`,
    );

    this.addSql(
      `alter table "script_scenes" add constraint "script_scenes_project_id_foreign" foreign key ("project_id") references "script_projects" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "script_revisions" add constraint "script_revisions_project_id_foreign" foreign key ("project_id") references "script_projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "script_revisions" add constraint "script_revisions_status_check" check ("status" in ('running', 'composed', 'incomplete', 'cancelled', 'failed'));`,
    );

    this.addSql(
      `alter table "script_revision_scenes" add constraint "script_revision_scenes_revision_id_foreign" foreign key ("revision_id") references "script_revisions" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "script_scenes" drop constraint "script_scenes_project_id_foreign";`);
    this.addSql(`alter table "script_revisions" drop constraint "script_revisions_project_id_foreign";`);
    this.addSql(
      `alter table "script_revision_scenes" drop constraint "script_revision_scenes_revision_id_foreign";`,
    );

    this.addSql(`drop trigger if exists "script_project_changed" on "script_projects";`);
    this.addSql(`drop function if exists "script_projects_script_project_changed_fn"();`);
    this.addSql(`drop table if exists "script_projects" cascade;`);
    this.addSql(`drop table if exists "script_scenes" cascade;`);
    this.addSql(`drop table if exists "script_revisions" cascade;`);
    this.addSql(`drop table if exists "script_revision_scenes" cascade;`);

    this.addSql(`alter table "assets" drop constraint "assets_kind_check";`);
    this.addSql(
      `alter table "assets" add constraint "assets_kind_check" check ("kind" in ('input', 'output', 'export', 'temp'));`,
    );

    this.addSql(`alter table "deletion_proofs" drop constraint "deletion_proofs_kind_check";`);
    this.addSql(
      `alter table "deletion_proofs" add constraint "deletion_proofs_kind_check" check ("kind" in ('input', 'output', 'export', 'temp'));`,
    );

    this.addSql(`drop index "generation_jobs_script_project_id_index";`);
    this.addSql(`alter table "generation_jobs" drop column "script_project_id";`);
  }
}
