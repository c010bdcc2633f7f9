// What proves who someone is, beyond the password: single-use emailed tokens, the
// progressive sign-in lock-out, and TOTP two-factor authentication (S-MFA).
// - Tokens: only a hash is stored, each expires per the policy in domain/accounts.ts,
//   and using one marks it used in the same statement that checks it.
// - Lock-out (S-RATE): failed sign-ins are counted per email address (by keyed hash,
//   registered or not), the lock doubling in length past the free attempts (domain/accounts.ts).
// - MFA, through otplib: seeds are sealed at rest; an accepted code's time step is
//   remembered so it cannot be replayed; recovery codes are stored hashed and work once.
import type { EntityManager } from '@mikro-orm/postgresql';
import { generateSecret, generateURI, verify } from 'otplib';
import { AccountToken, MfaRecoveryCode, Session, SignInFailure, User } from '../db/entities/index.ts';
import {
  RECOVERY_CODE_COUNT,
  SIGN_IN_LOCKOUT,
  TOKEN_TTL_MS,
  TOTP_WINDOW_STEPS,
  lockoutMs,
  type TokenPurpose,
} from '../domain/accounts.ts';
import { keyedHash, randomToken, seal, sha256Hex, unseal } from '../platform/crypto.ts';

// ---------------------------------------------------------------- emailed tokens

export async function issueToken(
  em: EntityManager,
  userId: string,
  purpose: TokenPurpose,
  sentTo: string,
): Promise<string> {
  const token = randomToken();
  em.create(AccountToken, {
    user: userId,
    purpose,
    tokenHash: sha256Hex(token),
    sentTo,
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + TOKEN_TTL_MS[purpose]),
  });
  await em.flush();
  return token;
}

/** Consumes a token atomically; the user id it belonged to, or null when unknown, used or expired. */
export async function consumeToken(
  em: EntityManager,
  token: string,
  purpose: TokenPurpose,
): Promise<string | null> {
  const rows = await em.execute<{ user_id: string }[]>(
    `update account_tokens set used_at = now()
      where token_hash = ? and purpose = ? and used_at is null and expires_at > now()
      returning user_id`,
    [sha256Hex(token), purpose],
  );
  return rows[0]?.user_id ?? null;
}

/** Invalidates a user's open tokens of one purpose (a new reset link replaces the old). */
export async function revokeTokens(em: EntityManager, userId: string, purpose: TokenPurpose): Promise<void> {
  await em.nativeUpdate(AccountToken, { user: userId, purpose, usedAt: null }, { usedAt: new Date() });
}

// ---------------------------------------------------------------- sign-in lock-out

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

// ---------------------------------------------------------------- two-factor authentication

/** Sealing purpose of the seeds; use-cases/staff.ts re-seals them when SESSION_SECRET changes. */
export const MFA_SEED_PURPOSE = 'mfa-seed';
const PERIOD_SECONDS = 30;

export function newMfaSeed(secret: string): { seed: string; sealed: string } {
  const seed = generateSecret();
  return { seed, sealed: seal(secret, MFA_SEED_PURPOSE, seed) };
}

export function otpauthUrl(seed: string, email: string): string {
  return generateURI({ issuer: 'Clipwise', label: email, secret: seed });
}

/** Checks a code against the user's seed and, when it is good, records its time step. */
export async function verifyTotp(
  em: EntityManager,
  secret: string,
  user: User,
  code: string,
): Promise<boolean> {
  if (!user.mfaSecret || !/^\d{6}$/.test(code)) return false;
  const seed = unseal(secret, MFA_SEED_PURPOSE, user.mfaSecret);
  const result = await verify({
    secret: seed,
    token: code,
    epochTolerance: TOTP_WINDOW_STEPS * PERIOD_SECONDS,
    ...(user.mfaLastTimeStep != null ? { afterTimeStep: user.mfaLastTimeStep } : {}),
  });
  if (!result.valid || !('timeStep' in result)) return false;
  // Conditional update: two requests racing with the same code cannot both win.
  const updated = await em.nativeUpdate(
    User,
    { id: user.id, $or: [{ mfaLastTimeStep: null }, { mfaLastTimeStep: { $lt: result.timeStep } }] },
    { mfaLastTimeStep: result.timeStep },
  );
  return updated === 1;
}

/** Replaces a user's recovery codes; returns the new ones, shown once. */
export async function issueRecoveryCodes(em: EntityManager, userId: string): Promise<string[]> {
  await em.nativeDelete(MfaRecoveryCode, { user: userId });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => randomToken(10));
  for (const code of codes)
    em.create(MfaRecoveryCode, { user: userId, codeHash: sha256Hex(code), createdAt: new Date() });
  await em.flush();
  return codes;
}

export async function useRecoveryCode(em: EntityManager, userId: string, code: string): Promise<boolean> {
  const updated = await em.nativeUpdate(
    MfaRecoveryCode,
    { user: userId, codeHash: sha256Hex(code.trim()), usedAt: null },
    { usedAt: new Date() },
  );
  return updated === 1;
}

/** A TOTP code or a recovery code, whichever the person gave. */
export function checkMfaProof(
  em: EntityManager,
  secret: string,
  user: User,
  proof: { code: string } | { recoveryCode: string },
): Promise<boolean> {
  return 'code' in proof
    ? verifyTotp(em, secret, user, proof.code)
    : useRecoveryCode(em, user.id, proof.recoveryCode);
}

/** Turns two-factor authentication off: the seed, the recovery codes and every session's MFA mark go. */
export async function removeMfa(em: EntityManager, userId: string): Promise<void> {
  await em.nativeUpdate(User, { id: userId }, { mfaEnabledAt: null, mfaSecret: null, mfaLastTimeStep: null });
  await em.nativeUpdate(Session, { user: userId }, { mfaVerifiedAt: null });
  await em.nativeDelete(MfaRecoveryCode, { user: userId });
}
