import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * Consecutive failed sign-ins per email address, keyed by a hash of the address whether
 * or not an account has it, so a lock-out never reveals who is registered.
 */
export const SignInFailure = defineEntity({
  name: 'SignInFailure',
  tableName: 'sign_in_failures',
  properties: {
    emailHash: p.string().length(64).primary(),
    failures: p.integer(),
    lastFailedAt: p.datetime(),
    lockedUntil: p.datetime().nullable(),
  },
});
export type SignInFailure = InferEntity<typeof SignInFailure>;
