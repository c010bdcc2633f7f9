import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * Append-only and hash-chained: each event carries the hash of the one before it in its
 * chain (S-AUDIT). Several chains take appends side by side (platform/audit.ts).
 */
export const AuditEvent = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  indexes: [{ properties: ['chain', 'id'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    occurredAt: p.datetime().onCreate(() => new Date()),
    actorId: p.uuid().nullable(),
    actorRole: p.string().length(32).nullable(),
    action: p.string().length(64).index(),
    targetType: p.string().length(32).nullable(),
    targetId: p.string().length(255).nullable(),
    /** The person the event is about, for access exports and the legal team. */
    subjectUserId: p.uuid().nullable().index(),
    /**
     * The people's pseudonyms, hashed instead of their ids: an account deletion drops the
     * id (platform/audit.ts) and the chain still holds. Null for ids that are no account.
     */
    actorPseudonym: p.uuid().nullable(),
    subjectPseudonym: p.uuid().nullable().index(),
    targetPseudonym: p.uuid().nullable(),
    details: p.json<Record<string, unknown>>().default('{}'),
    /** Which chain the event is appended to; `prevHash` is the previous event's in it. */
    chain: p.smallint().default(0),
    prevHash: p.string().length(64),
    hash: p.string().length(64).unique(),
  },
  // Declared so the schema diff knows it (the storage migration re-created it under the
  // ORM's naming); TRUNCATE is refused by a statement trigger the accounts migration added.
  triggers: [
    {
      // Each chain's newest event, in the append's transaction (AuditChainHead.ts).
      name: 'audit_events_head',
      timing: 'after',
      events: ['insert'],
      forEach: 'row',
      body: 'insert into audit_chain_heads (chain, last_id, last_hash) values (new.chain, new.id, new.hash) on conflict (chain) do update set last_id = excluded.last_id, last_hash = excluded.last_hash; return null;',
    },
    {
      name: 'audit_events_no_update',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      // The one change allowed: a person's id replaced by their pseudonym (migration 083000).
      body: "if tg_op = 'UPDATE' and (new.id, new.occurred_at, new.actor_role, new.action, new.target_type, new.chain, new.prev_hash, new.hash, new.actor_pseudonym, new.subject_pseudonym, new.target_pseudonym) is not distinct from (old.id, old.occurred_at, old.actor_role, old.action, old.target_type, old.chain, old.prev_hash, old.hash, old.actor_pseudonym, old.subject_pseudonym, old.target_pseudonym) and (new.actor_id is not distinct from old.actor_id or (new.actor_id is null and old.actor_pseudonym is not null)) and (new.subject_user_id is not distinct from old.subject_user_id or (new.subject_user_id is null and old.subject_pseudonym is not null)) and (new.target_id is not distinct from old.target_id or (old.target_pseudonym is not null and new.target_id = old.target_pseudonym::text)) and new.details = replace(replace(replace(old.details::text, case when new.actor_id is null and old.actor_id is not null then old.actor_id::text else '' end, coalesce(old.actor_pseudonym::text, '')), case when new.subject_user_id is null and old.subject_user_id is not null then old.subject_user_id::text else '' end, coalesce(old.subject_pseudonym::text, '')), case when new.target_id is distinct from old.target_id then old.target_id else '' end, coalesce(old.target_pseudonym::text, ''))::jsonb then return new; end if; raise exception 'audit_events is append-only';",
    },
  ],
});
export type AuditEvent = InferEntity<typeof AuditEvent>;
