// Progressive lock-out after failed sign-ins: counted per email address (by keyed hash,
// registered or not), doubling in length past the free attempts (domain/accounts.ts).
import type { EntityManager } from '@mikro-orm/postgresql';
import { SIGN_IN_LOCKOUT, lockoutMs } from '../../domain/accounts.ts';
import { SignInFailure } from '../../db/entities/index.ts';
import { keyedHash } from '../../platform/crypto.ts';

export const emailKey = (secret: string, email: string) => keyedHash(secret, 'sign-in', email);

/** Milliseconds until the address may try again; 0 when it is not locked. */
export async function lockedForMs(em: EntityManager, key: string): Promise<number> {
  const row = await em.findOne(SignInFailure, { emailHash: key });
  if (!row?.lockedUntil) return 0;
  return Math.max(0, row.lockedUntil.getTime() - Date.now());
}

/** Counts a failure atomically; returns the lock it caused (0 if none) and the failure count. */
export async function recordFailure(
  em: EntityManager,
  key: string,
): Promise<{ failures: number; lockMs: number }> {
  const [row] = await em.execute<{ failures: number }[]>(
    `insert into sign_in_failures (email_hash, failures, last_failed_at) values (?, 1, now())
     on conflict (email_hash) do update set
       failures = case when sign_in_failures.last_failed_at < now() - (? * interval '1 millisecond') then 1
                       else sign_in_failures.failures + 1 end,
       last_failed_at = now()
     returning failures`,
    [key, SIGN_IN_LOCKOUT.windowMs],
  );
  const failures = row!.failures;
  const lockMs = lockoutMs(failures);
  if (lockMs > 0) {
    await em.nativeUpdate(SignInFailure, { emailHash: key }, { lockedUntil: new Date(Date.now() + lockMs) });
  }
  return { failures, lockMs };
}

export async function clearFailures(em: EntityManager, key: string): Promise<void> {
  await em.nativeDelete(SignInFailure, { emailHash: key });
}
