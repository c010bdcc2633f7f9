import { Migration } from '@mikro-orm/migrations';

// A cancel kept while Temporal did not answer changes what a live view shows ("Cancel
// requested"), so it is announced like every other such change: a job's on the
// `generation_job` channel, a script run's on its project's `script_project` channel.
// Before, a page already open (another window, or one served by another api process)
// went on offering the cancel button until something else about the job changed.
/**
 * What a job's live view shows, as Migration20261202020112_generation_job_notify announced
 * it (db/entities/GenerationJob.ts holds the trigger as it now is).
 */
const JOB_SHOWN = [
  'status',
  'progress',
  'queue_position',
  'eta_seconds',
  'status_message',
  'output_asset_id',
  'credits_charged',
  'model',
];

const jobFunction = (shown: string[]) => {
  const row = (side: 'old' | 'new') => `row(${shown.map((column) => `${side}.${column}`).join(', ')})`;
  return `create or replace function "generation_jobs_generation_job_changed_fn"() returns trigger as $$ begin if ${row('old')} is distinct from ${row('new')} then perform pg_notify('generation_job', new.id::text); end if; return null; end; $$ language plpgsql;`;
};

export class Migration20261206200000_cancel_requested_announced extends Migration {
  override name = 'Migration20261206200000_cancel_requested_announced';

  override up(): void | Promise<void> {
    this.addSql(jobFunction([...JOB_SHOWN, 'cancel_requested_at']));
    this.addSql(
      `create or replace function "script_revisions_script_revision_cancel_requested_fn"() returns trigger as $$ begin if old.cancel_requested_at is distinct from new.cancel_requested_at then perform pg_notify('script_project', new.project_id::text); end if; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "script_revision_cancel_requested" AFTER UPDATE on "script_revisions" for each ROW execute function "script_revisions_script_revision_cancel_requested_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "script_revision_cancel_requested" on "script_revisions";`);
    this.addSql(`drop function if exists "script_revisions_script_revision_cancel_requested_fn"();`);
    this.addSql(jobFunction(JOB_SHOWN));
  }
}
