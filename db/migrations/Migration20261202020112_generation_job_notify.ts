import { Migration } from '@mikro-orm/migrations';

// Every change to what a live view shows is announced on the `generation_job` channel
// with the job's id, so the API pushes it to whoever watches.
export class Migration20261202020112_generation_job_notify extends Migration {
  override name = 'Migration20261202020112_generation_job_notify';

  override up(): void | Promise<void> {
    this.addSql(
      `create or replace function "generation_jobs_generation_job_changed_fn"() returns trigger as $$ begin if row(old.status, old.progress, old.queue_position, old.eta_seconds, old.status_message, old.output_asset_id, old.credits_charged, old.model) is distinct from row(new.status, new.progress, new.queue_position, new.eta_seconds, new.status_message, new.output_asset_id, new.credits_charged, new.model) then perform pg_notify('generation_job', new.id::text); end if; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "generation_job_changed" AFTER UPDATE on "generation_jobs" for each ROW execute function "generation_jobs_generation_job_changed_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "generation_job_changed" on "generation_jobs";`);
    this.addSql(`drop function if exists "generation_jobs_generation_job_changed_fn"();`);
  }
}
