// Signed links that need no stored state: `<expiresAtMs>.<hmac>` over a purpose and an
// id. Used where the person can no longer sign in (a deletion certificate after the
// account is gone) or should not have to (one-click unsubscribe, D-UNSUB).
import { keyedHash, safeEqual } from './crypto.ts';

export function signLink(secret: string, purpose: string, id: string, expiresAtMs: number): string {
  const expires = Math.floor(expiresAtMs);
  return `${expires}.${keyedHash(secret, `link:${purpose}`, `${id}.${expires}`)}`;
}

/** True when the token was made by signLink for this purpose and id and has not expired. */
export function verifyLink(
  secret: string,
  purpose: string,
  id: string,
  token: string,
  now = Date.now(),
): boolean {
  const dot = token.indexOf('.');
  if (dot <= 0) return false;
  const expires = Number(token.slice(0, dot));
  if (!Number.isSafeInteger(expires) || expires <= now) return false;
  return safeEqual(token, signLink(secret, purpose, id, expires));
}
