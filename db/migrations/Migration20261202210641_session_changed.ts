import { Migration } from '@mikro-orm/migrations';

// A change to a session or an account is announced on `session_changed` with the
// user's id, so every API process forgets the sessions it holds for that user.
export class Migration20261202210641_session_changed extends Migration {
  override name = 'Migration20261202210641_session_changed';

  override up(): void | Promise<void> {
    this.addSql(
      `create or replace function "users_user_session_changed_fn"() returns trigger as $$ begin perform pg_notify('session_changed', old.id::text); return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "user_session_changed" AFTER UPDATE OR DELETE on "users" for each ROW execute function "users_user_session_changed_fn"();`,
    );

    this.addSql(
      `create or replace function "sessions_session_changed_fn"() returns trigger as $$ begin perform pg_notify('session_changed', old.user_id::text); return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "session_changed" AFTER UPDATE OR DELETE on "sessions" for each ROW execute function "sessions_session_changed_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "session_changed" on "sessions";`);
    this.addSql(`drop function if exists "sessions_session_changed_fn"();`);

    this.addSql(`drop trigger if exists "user_session_changed" on "users";`);
    this.addSql(`drop function if exists "users_user_session_changed_fn"();`);
  }
}
