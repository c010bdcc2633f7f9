import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { User } from './User.ts';

/** A signed-in browser. Only the token's hash is stored; IP and agent form the session log (R-SESSION-30D). */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  // A change to a session or its end is announced on the `session_changed` channel with
  // its user's id (stores/accounts.ts SESSION_CHANNEL), so every API process forgets the
  // sessions of that user it holds (api/auth/session-cache.ts).
  triggers: [
    {
      name: 'session_changed',
      timing: 'after',
      events: ['update', 'delete'],
      forEach: 'row',
      // One line, as PostgreSQL stores it: the schema check compares the text.
      body: `perform pg_notify('session_changed', old.user_id::text); return null;`,
    },
  ],
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().deleteRule('cascade').index(),
    tokenHash: p.string().length(64).unique().hidden(),
    createdAt: createdNow(),
    lastSeenAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    revokedAt: p.datetime().nullable(),
    mfaVerifiedAt: p.datetime().nullable(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
  },
});
export type Session = InferEntity<typeof Session>;
