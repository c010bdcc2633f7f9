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
      name: 'audit_events_no_update',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      body: "raise exception 'audit_events is append-only';",
    },
  ],
});
export type AuditEvent = InferEntity<typeof AuditEvent>;
