import { Migration } from '@mikro-orm/migrations';

/**
 * What an account deletion leaves behind names the person by a pseudonym, not the account
 * id. Every account draws a random pseudonym; the audit log and the deletion proofs record
 * it beside the id and hash it instead of the id, so the deletion can drop the id from
 * them without breaking a hash. The append-only triggers allow exactly that change and
 * nothing else. Rows written before this migration have no pseudonym: their hashes cover
 * the id, and they keep it.
 */
export class Migration20261202083000_pseudonyms extends Migration {
  override name = 'Migration20261202083000_pseudonyms';

  override up(): void | Promise<void> {
    this.addSql(`alter table "users" add column "pseudonym" uuid not null default gen_random_uuid();`);
    this.addSql(`alter table "users" add constraint "users_pseudonym_unique" unique ("pseudonym");`);

    this.addSql(
      `alter table "audit_events" add column "actor_pseudonym" uuid null, add column "subject_pseudonym" uuid null, add column "target_pseudonym" uuid null;`,
    );
    this.addSql(
      `create index "audit_events_subject_pseudonym_index" on "audit_events" ("subject_pseudonym");`,
    );
    this.addSql(`alter table "deletion_proofs" add column "owner_pseudonym" uuid null;`);
    this.addSql(
      `create index "deletion_proofs_owner_pseudonym_index" on "deletion_proofs" ("owner_pseudonym");`,
    );
    this.addSql(`alter table "rights_requests" add column "subject_pseudonym" uuid null;`);
    this.addSql(`alter table "legal_holds" add column "subject_pseudonym" uuid null;`);

    // An event may change only by losing a person's id for the pseudonym recorded with it:
    // the id columns become null (the target, which is text, becomes the pseudonym) and
    // the id is replaced by the pseudonym in the details; everything else stays.
    this.addSql(
      `create or replace function "audit_events_audit_events_no_update_fn"() returns trigger as $$ begin if tg_op = 'UPDATE' and (new.id, new.occurred_at, new.actor_role, new.action, new.target_type, new.chain, new.prev_hash, new.hash, new.actor_pseudonym, new.subject_pseudonym, new.target_pseudonym) is not distinct from (old.id, old.occurred_at, old.actor_role, old.action, old.target_type, old.chain, old.prev_hash, old.hash, old.actor_pseudonym, old.subject_pseudonym, old.target_pseudonym) and (new.actor_id is not distinct from old.actor_id or (new.actor_id is null and old.actor_pseudonym is not null)) and (new.subject_user_id is not distinct from old.subject_user_id or (new.subject_user_id is null and old.subject_pseudonym is not null)) and (new.target_id is not distinct from old.target_id or (old.target_pseudonym is not null and new.target_id = old.target_pseudonym::text)) and new.details = replace(replace(replace(old.details::text, case when new.actor_id is null and old.actor_id is not null then old.actor_id::text else '' end, coalesce(old.actor_pseudonym::text, '')), case when new.subject_user_id is null and old.subject_user_id is not null then old.subject_user_id::text else '' end, coalesce(old.subject_pseudonym::text, '')), case when new.target_id is distinct from old.target_id then old.target_id else '' end, coalesce(old.target_pseudonym::text, ''))::jsonb then return new; end if; raise exception 'audit_events is append-only'; end; $$ language plpgsql;`,
    );
    // A proof may change only by losing its owner's id for the owner's pseudonym, wherever
    // the id is written (owner, object key, dedupe key, requested by).
    this.addSql(
      `create or replace function "deletion_proofs_deletion_proofs_no_update_fn"() returns trigger as $$ begin if tg_op = 'UPDATE' and old.owner_id is not null and old.owner_pseudonym is not null and new.owner_id is null and (new.id, new.asset_id, new.kind, new.reason, new.requested_at, new.deleted_at, new.object_existed, new.content_sha256, new.size_bytes, new.verified_at, new.verification, new.record_hash, new.owner_pseudonym) is not distinct from (old.id, old.asset_id, old.kind, old.reason, old.requested_at, old.deleted_at, old.object_existed, old.content_sha256, old.size_bytes, old.verified_at, old.verification, old.record_hash, old.owner_pseudonym) and new.object_key = replace(old.object_key, old.owner_id::text, old.owner_pseudonym::text) and new.dedupe_key = replace(old.dedupe_key, old.owner_id::text, old.owner_pseudonym::text) and new.requested_by is not distinct from (case when old.requested_by = old.owner_id then old.owner_pseudonym else old.requested_by end) then return new; end if; raise exception 'deletion_proofs is append-only'; end; $$ language plpgsql;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `create or replace function "deletion_proofs_deletion_proofs_no_update_fn"() returns trigger as $$ begin raise exception 'deletion_proofs is append-only'; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create or replace function "audit_events_audit_events_no_update_fn"() returns trigger as $$ begin raise exception 'audit_events is append-only'; end; $$ language plpgsql;`,
    );
    this.addSql(`alter table "legal_holds" drop column "subject_pseudonym";`);
    this.addSql(`alter table "rights_requests" drop column "subject_pseudonym";`);
    this.addSql(`alter table "deletion_proofs" drop column "owner_pseudonym";`);
    this.addSql(
      `alter table "audit_events" drop column "actor_pseudonym", drop column "subject_pseudonym", drop column "target_pseudonym";`,
    );
    this.addSql(`alter table "users" drop column "pseudonym";`);
  }
}
