import { Migration } from '@mikro-orm/migrations';

export class Migration20261122003507_storage extends Migration {
  override name = 'Migration20261122003507_storage';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "deletion_proofs" ("id" uuid not null, "dedupe_key" varchar(600) not null, "asset_id" uuid null, "object_key" varchar(512) not null, "kind" text null, "owner_id" uuid null, "reason" text not null, "requested_by" uuid null, "requested_at" timestamptz not null, "deleted_at" timestamptz not null, "object_existed" boolean not null, "content_sha256" varchar(64) null, "size_bytes" bigint null, "verified_at" timestamptz not null, "verification" varchar(200) not null, "record_hash" varchar(64) not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "deletion_proofs" add constraint "deletion_proofs_dedupe_key_unique" unique ("dedupe_key");`,
    );
    this.addSql(`create index "deletion_proofs_asset_id_index" on "deletion_proofs" ("asset_id");`);
    this.addSql(`create index "deletion_proofs_object_key_index" on "deletion_proofs" ("object_key");`);
    this.addSql(`create index "deletion_proofs_owner_id_index" on "deletion_proofs" ("owner_id");`);

    // The audit log's append-only trigger (accounts migration) is re-created under the
    // ORM's trigger naming, so the schema diff recognises it instead of dropping it.
    this.addSql(`drop trigger if exists "audit_events_no_update" on "audit_events";`);
    this.addSql(
      `create or replace function "audit_events_audit_events_no_update_fn"() returns trigger as $$ begin raise exception 'audit_events is append-only'; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "audit_events_no_update" BEFORE UPDATE OR DELETE on "audit_events" for each ROW execute function "audit_events_audit_events_no_update_fn"();`,
    );

    this.addSql(`alter table "assets" drop constraint "assets_status_check";`);
    this.addSql(
      `alter table "assets" add constraint "assets_status_check" check ("status" in ('pending', 'stored', 'deleting', 'deleted', 'missing'));`,
    );

    this.addSql(
      `alter table "deletion_proofs" add constraint "deletion_proofs_kind_check" check ("kind" in ('input', 'output', 'export', 'temp'));`,
    );
    this.addSql(
      `alter table "deletion_proofs" add constraint "deletion_proofs_reason_check" check ("reason" in ('timer', 'user', 'account_deletion', 'minor', 'orphan', 'job_finished'));`,
    );
    this.addSql(
      `create or replace function "deletion_proofs_deletion_proofs_no_update_fn"() returns trigger as $$ begin raise exception 'deletion_proofs is append-only'; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "deletion_proofs_no_update" BEFORE UPDATE OR DELETE on "deletion_proofs" for each ROW execute function "deletion_proofs_deletion_proofs_no_update_fn"();`,
    );

    // Written by hand: the entity cannot declare it, since the schema diff does not see
    // TRUNCATE triggers. With it, no statement can empty the proofs either (R-PROOF).
    this.addSql(
      `create or replace function "deletion_proofs_deletion_proofs_no_truncate_fn"() returns trigger as $$ begin raise exception 'deletion_proofs is append-only'; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "deletion_proofs_no_truncate" BEFORE TRUNCATE on "deletion_proofs" for each STATEMENT execute function "deletion_proofs_deletion_proofs_no_truncate_fn"();`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop trigger if exists "deletion_proofs_no_truncate" on "deletion_proofs";`);
    this.addSql(`drop function if exists "deletion_proofs_deletion_proofs_no_truncate_fn"();`);
    this.addSql(`drop trigger if exists "deletion_proofs_no_update" on "deletion_proofs";`);
    this.addSql(`drop function if exists "deletion_proofs_deletion_proofs_no_update_fn"();`);
    this.addSql(`drop table if exists "deletion_proofs" cascade;`);

    this.addSql(`alter table "assets" drop constraint "assets_status_check";`);
    this.addSql(
      `alter table "assets" add constraint "assets_status_check" check ("status" in ('pending', 'stored', 'deleted'));`,
    );

    this.addSql(`drop trigger if exists "audit_events_no_update" on "audit_events";`);
    this.addSql(`drop function if exists "audit_events_audit_events_no_update_fn"();`);
    this.addSql(`create trigger audit_events_no_update before update or delete on "audit_events"
      for each row execute function audit_events_append_only();`);
  }
}
