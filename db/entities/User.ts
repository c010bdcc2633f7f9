import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { ACCOUNT_STATUSES, ROLES } from '../../domain/accounts.ts';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  // Any change to an account (its status, role, restriction, accepted policy...) is
  // announced like a session's, so no API process answers from what it held before.
  triggers: [
    {
      name: 'user_session_changed',
      timing: 'after',
      events: ['update', 'delete'],
      forEach: 'row',
      body: `perform pg_notify('session_changed', old.id::text); return null;`,
    },
  ],
  properties: {
    id: uuidKey(),
    /**
     * Drawn at random for the account; what the records kept after its deletion name the
     * person by. Only this row links it to the account, and the deletion removes the row.
     */
    pseudonym: p
      .uuid()
      .unique()
      .defaultRaw('gen_random_uuid()')
      .onCreate(() => randomUUID()),
    /** Stored lower-cased; unique among accounts. */
    email: p.string().length(320).unique(),
    emailVerifiedAt: p.datetime().nullable(),
    name: p.string().length(200),
    passwordHash: p.text().nullable().hidden(),
    googleSubject: p.string().length(255).nullable().unique(),
    dateOfBirth: p.date().nullable(),
    parentEmail: p.string().length(320).nullable(),
    parentalConsentAt: p.datetime().nullable(),
    role: p.enum(ROLES).default('creator'),
    status: p.enum(ACCOUNT_STATUSES).default('active'),
    mfaSecret: p.text().nullable().hidden(),
    mfaEnabledAt: p.datetime().nullable(),
    /** The last TOTP time step accepted, so a code cannot be replayed. */
    mfaLastTimeStep: p.bigint('number').nullable(),
    preferences: p.json<Record<string, unknown>>().default('{}'),
    /** Spendable credits; the ledger is the record, this its running total (never below zero). */
    creditBalance: p.integer().default(0).check('credit_balance >= 0'),
    /**
     * Credits a refund or dispute could not take back because they were spent; the next
     * credits the person pays for settle them first (stores/billing.ts).
     */
    creditsOwed: p.integer().default(0).check('credits_owed >= 0'),
    /** D-RESTRICT: no new generation or analytics while set. */
    restrictedAt: p.datetime().nullable(),
    /** D-OBJECT: the user objected to analytics about them. */
    objectedToAnalyticsAt: p.datetime().nullable(),
    /** D-OBJECT: the user objected to direct marketing. */
    objectedToMarketingAt: p.datetime().nullable(),
    /** D-POLICY: the privacy policy version this user last accepted. */
    policyVersionAccepted: p.string().length(32).nullable(),
    policyAcceptedAt: p.datetime().nullable(),
    createdAt: createdNow(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
});
export type User = InferEntity<typeof User>;
