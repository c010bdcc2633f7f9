import { Migration } from '@mikro-orm/migrations';

// A script run's cancel asked for while Temporal did not answer (db/entities/ScriptRevision.ts):
// the project's views say so until the run ends; the untold-signals sweep makes the cancel.
export class Migration20261206190000_script_run_cancel_requested extends Migration {
  override name = 'Migration20261206190000_script_run_cancel_requested';

  override up(): void | Promise<void> {
    this.addSql(`alter table "script_revisions" add "cancel_requested_at" timestamptz null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "script_revisions" drop column "cancel_requested_at";`);
  }
}
