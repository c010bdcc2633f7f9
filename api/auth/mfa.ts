// TOTP multi-factor authentication for staff (S-MFA), through otplib. Seeds are sealed
// at rest; an accepted code's time step is remembered so it cannot be replayed; recovery
// codes are stored hashed and work once.
import type { EntityManager } from '@mikro-orm/postgresql';
import { generateSecret, generateURI, verify } from 'otplib';
import { RECOVERY_CODE_COUNT, TOTP_WINDOW_STEPS } from '../../domain/accounts.ts';
import { MfaRecoveryCode, User } from '../../db/entities/index.ts';
import { randomToken, seal, sha256Hex, unseal } from '../../platform/crypto.ts';

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
