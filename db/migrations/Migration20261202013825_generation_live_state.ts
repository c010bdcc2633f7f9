import { Migration } from '@mikro-orm/migrations';

// A job's live state lives on its row (written by its workflow's activities), and every
// change to what a live view shows is announced on the `generation_job` channel with the
// job's id, so the API pushes it to whoever watches instead of asking the workflow.
export class Migration20261202013825_generation_live_state extends Migration {
  override name = 'Migration20261202013825_generation_live_state';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "generation_jobs" add "status_changed_at" timestamptz null, add "status_message" text null, add "progress" double precision null, add "queue_position" int null, add "eta_seconds" int null;`,
    );
    this.addSql(
      `create function notify_generation_job() returns trigger language plpgsql as $$
       begin
         perform pg_notify('generation_job', new.id::text);
         return null;
       end $$;`,
    );
    this.addSql(
      `create trigger generation_job_changed after update on "generation_jobs" for each row
         when (old.status is distinct from new.status
            or old.progress is distinct from new.progress
            or old.queue_position is distinct from new.queue_position
            or old.eta_seconds is distinct from new.eta_seconds
            or old.status_message is distinct from new.status_message
            or old.output_asset_id is distinct from new.output_asset_id
            or old.credits_charged is distinct from new.credits_charged
            or old.model is distinct from new.model)
         execute function notify_generation_job();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists generation_job_changed on "generation_jobs";`);
    this.addSql(`drop function if exists notify_generation_job();`);
    this.addSql(
      `alter table "generation_jobs" drop column "status_changed_at", drop column "status_message", drop column "progress", drop column "queue_position", drop column "eta_seconds";`,
    );
  }
}
