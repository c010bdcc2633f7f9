import { Migration } from '@mikro-orm/migrations';

// The generation job's live state (status time and message, progress, queue position,
// ETA), which the entity gained without a migration. Idempotent (`if not exists`), so
// it agrees with any other migration that adds the same columns.
export class Migration20261202014431_generation_live_state extends Migration {
  override name = 'Migration20261202014431_generation_live_state';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "generation_jobs" add column if not exists "status_changed_at" timestamptz null, add column if not exists "status_message" text null, add column if not exists "progress" double precision null, add column if not exists "queue_position" int null, add column if not exists "eta_seconds" int null;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "generation_jobs" drop column if exists "status_changed_at", drop column if exists "status_message", drop column if exists "progress", drop column if exists "queue_position", drop column if exists "eta_seconds";`,
    );
  }
}
