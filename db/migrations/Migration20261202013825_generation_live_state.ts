import { Migration } from '@mikro-orm/migrations';

// A job's live state lives on its row, written by its workflow's activities, so the API
// reads it from here instead of asking the workflow.
export class Migration20261202013825_generation_live_state extends Migration {
  override name = 'Migration20261202013825_generation_live_state';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "generation_jobs" add "status_changed_at" timestamptz null, add "status_message" text null, add "progress" double precision null, add "queue_position" int null, add "eta_seconds" int null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "generation_jobs" drop column "status_changed_at", drop column "status_message", drop column "progress", drop column "queue_position", drop column "eta_seconds";`,
    );
  }
}
