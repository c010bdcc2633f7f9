import { Migration } from '@mikro-orm/migrations';

// A job's cancel asked for while Temporal did not answer (db/entities/GenerationJob.ts):
// its views say so until the job ends; the untold-signals sweep makes the cancel.
export class Migration20261206180000_job_cancel_requested extends Migration {
  override name = 'Migration20261206180000_job_cancel_requested';

  override up(): void | Promise<void> {
    this.addSql(`alter table "generation_jobs" add "cancel_requested_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "generation_jobs" drop column "cancel_requested_at";`);
  }
}
