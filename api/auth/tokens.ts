// Single-use emailed tokens: only a hash is stored, each expires per the policy in
// domain/accounts.ts, and using one marks it used in the same statement that checks it.
import type { EntityManager } from '@mikro-orm/postgresql';
import { TOKEN_TTL_MS, type TokenPurpose } from '../../domain/accounts.ts';
import { AccountToken } from '../../db/entities/index.ts';
import { randomToken, sha256Hex } from '../../platform/crypto.ts';

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
