// Password hashing with argon2id (the cost is in domain/accounts.ts, measured by
// bench/auth.ts). A check against no account spends the same time as a real one, so the
// answer's timing does not reveal whether an email address is registered.
// @node-rs/argon2: prebuilt, no install script.
import { hash, verify } from '@node-rs/argon2';
import { ARGON2_PARAMS } from '../domain/accounts.ts';

// @node-rs/argon2 numbers its algorithms; 2 is argon2id.
const ARGON2ID = 2;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { ...ARGON2_PARAMS, algorithm: ARGON2ID });
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Spends the same time as a real check when there is no account, so the answer's timing
 * does not reveal whether an email is registered.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummy ??= hashPassword('no account has this password');
  await verifyPassword(await dummy, password);
  return false;
}
