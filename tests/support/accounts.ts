// Test accounts, made directly in the database (fast) or through the API (to test it),
// each with a unique address so tests never share data.
import { randomUUID } from 'node:crypto';
import { generate } from 'otplib';
import type { Role } from '../../domain/accounts.ts';
import { User } from '../../db/entities/index.ts';
import { writeLedger } from '../../stores/billing.ts';
import { hashPassword } from '../../platform/passwords.ts';
import { newMfaSeed } from '../../stores/accounts-credentials.ts';
import { TestClient } from './client.ts';
import type { TestPlatform } from './platform.ts';

export const TEST_PASSWORD = 'correct horse battery staple';
let cachedHash: Promise<string> | undefined;

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID().slice(0, 8)}@example.test`;

export interface TestAccount {
  user: User;
  client: TestClient;
  password: string;
  /** The authenticator seed, for staff with MFA. */
  mfaSeed?: string;
}

/** A current TOTP code for a seed. */
export function totp(seed: string): Promise<string> {
  return generate({ secret: seed });
}

export async function createAccount(
  platform: TestPlatform,
  options: {
    role?: Role;
    verified?: boolean;
    mfa?: boolean;
    status?: User['status'];
    name?: string;
    email?: string;
    /** Credits granted at creation. */
    credits?: number;
    /** Saved preferences (theme, generation defaults), as the account page stores them. */
    preferences?: User['preferences'];
  } = {},
): Promise<User & { mfaSeed?: string }> {
  cachedHash ??= hashPassword(TEST_PASSWORD);
  const em = platform.clients.orm.em.fork();
  const mfa = options.mfa ? newMfaSeed(platform.config.sessionSecret) : undefined;
  const user = em.create(User, {
    email: options.email ?? uniqueEmail(options.role ?? 'creator'),
    name: options.name ?? 'Test Person',
    passwordHash: await cachedHash,
    dateOfBirth: '1990-05-17',
    role: options.role ?? 'creator',
    status: options.status ?? 'active',
    emailVerifiedAt: options.verified === false ? null : new Date(),
    mfaSecret: mfa?.sealed ?? null,
    mfaEnabledAt: mfa ? new Date() : null,
    preferences: options.preferences ?? {},
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  await em.flush();
  if (options.credits) {
    await writeLedger(em, {
      userId: user.id,
      kind: 'grant',
      credits: options.credits,
      reference: `test:${user.id}`,
    });
  }
  return Object.assign(user, { mfaSeed: mfa?.seed });
}

/** Signs an account in through the API (and passes MFA for staff with a seed). */
export async function signIn(platform: TestPlatform, user: User & { mfaSeed?: string }): Promise<TestClient> {
  const client = new TestClient(platform.api.url);
  await client.refreshCsrf();
  const res = await client.post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  client.csrfToken = ((await res.json()) as { csrfToken: string }).csrfToken;
  if (user.mfaSeed) {
    const mfa = await client.post('/api/auth/mfa/verify', { code: await totp(user.mfaSeed) });
    if (mfa.status !== 200) throw new Error(`mfa failed: ${mfa.status} ${await mfa.text()}`);
    client.csrfToken = ((await mfa.json()) as { csrfToken: string }).csrfToken;
  }
  return client;
}

export async function signedIn(
  platform: TestPlatform,
  options: Parameters<typeof createAccount>[1] = {},
): Promise<TestAccount> {
  const user = await createAccount(platform, options);
  const client = await signIn(platform, user);
  return { user, client, password: TEST_PASSWORD, mfaSeed: user.mfaSeed };
}
