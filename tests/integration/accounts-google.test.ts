import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../db/entities/index.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { createAccount, uniqueEmail } from '../support/accounts.ts';
import { TestClient } from '../support/client.ts';
import { json } from '../support/http.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/oidc.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let idp: TestOidcProvider;
beforeAll(async () => {
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  idp = await startOidcProvider(`${apiUrl}/api/auth/google/callback`);
  platform = await startTestPlatform({
    workers: false,
    apiPort,
    env: {
      PUBLIC_API_URL: apiUrl,
      GOOGLE_CLIENT_ID: idp.clientId,
      GOOGLE_CLIENT_SECRET: idp.clientSecret,
      GOOGLE_ISSUER: idp.issuer,
    },
  });
});
afterAll(async () => {
  await platform?.stop();
  await idp?.stop();
});

/** The browser's trip through the provider: follows its redirects with its own cookies. */
async function throughProvider(authorizeUrl: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizeUrl;
  for (let hop = 0; hop < 10; hop++) {
    if (!url.startsWith(idp.issuer)) return url;
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`provider answered ${res.status} without a redirect: ${await res.text()}`);
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects');
}

async function googleSignIn(
  client: TestClient,
  account: Parameters<TestOidcProvider['signInAs']>[0],
): Promise<Response> {
  idp.signInAs(account);
  const start = await client.get('/api/auth/google/start?returnTo=/create');
  expect(start.status).toBe(303);
  const authorize = start.headers.get('location')!;
  expect(authorize).toContain('code_challenge_method=S256');
  const callback = await throughProvider(authorize);
  expect(callback.startsWith(`${platform.api.url}/api/auth/google/callback?`)).toBe(true);
  return client.get(callback.slice(platform.api.url.length));
}

describe('Sign in with Google (OpenID Connect with PKCE) against a real provider on loopback', () => {
  it('offers Google only when configured', async () => {
    expect(await json(await fetch(`${platform.api.url}/api/auth/providers`))).toEqual({
      password: true,
      google: true,
    });
  });

  it('makes a new adult account after the age gate, then signs in by subject next time', async () => {
    const account = {
      sub: randomUUID(),
      email: uniqueEmail('google'),
      email_verified: true,
      name: 'Grace Google',
    };
    const client = new TestClient(platform.api.url);
    const landing = await googleSignIn(client, account);
    expect(landing.status).toBe(303);
    expect(landing.headers.get('location')).toBe(`${platform.config.web.publicUrl}/sign-up/google`);
    // Nothing stored before the date of birth is known (D-MINOR).
    expect(await platform.clients.orm.em.fork().count(User, { email: account.email })).toBe(0);

    await client.refreshCsrf();
    const done = await client.post('/api/auth/google/complete', {
      dateOfBirth: '1991-03-04',
      acceptPolicyVersion: POLICY_VERSION,
    });
    expect(done.status).toBe(200);
    const body = await json(done);
    expect(body.user).toMatchObject({ email: account.email, name: 'Grace Google', emailVerified: true });
    client.csrfToken = body.csrfToken;
    expect((await client.get('/api/account')).status).toBe(200);

    const again = new TestClient(platform.api.url);
    const back = await googleSignIn(again, account);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`${platform.config.web.publicUrl}/create`);
    expect((await again.get('/api/account')).status).toBe(200);
  });

  it('[D-MINOR] refuses a first Google sign-in under 13 and keeps nothing', async () => {
    const account = {
      sub: randomUUID(),
      email: uniqueEmail('young'),
      email_verified: true,
      name: 'Young One',
    };
    const client = new TestClient(platform.api.url);
    await googleSignIn(client, account);
    await client.refreshCsrf();
    const res = await client.post('/api/auth/google/complete', {
      dateOfBirth: '2020-01-01',
      acceptPolicyVersion: POLICY_VERSION,
    });
    expect(res.status).toBe(403);
    expect(await platform.clients.orm.em.fork().count(User, { email: account.email })).toBe(0);
  });

  it('links a verified Google address to the same verified account, but never an unverified one', async () => {
    const existing = await createAccount(platform);
    const client = new TestClient(platform.api.url);
    const linked = await googleSignIn(client, {
      sub: randomUUID(),
      email: existing.email,
      email_verified: true,
      name: 'X',
    });
    expect(linked.headers.get('location')).toBe(`${platform.config.web.publicUrl}/create`);
    expect(
      (await platform.clients.orm.em.fork().findOneOrFail(User, { id: existing.id })).googleSubject,
    ).toBeTruthy();

    const other = await createAccount(platform);
    const refused = await googleSignIn(new TestClient(platform.api.url), {
      sub: randomUUID(),
      email: other.email,
      email_verified: false,
      name: 'Impostor',
    });
    expect(refused.headers.get('location')).toContain('/sign-in?error=google_email_in_use');
  });

  it('refuses a callback whose state does not match the browser’s flow', async () => {
    const client = new TestClient(platform.api.url);
    idp.signInAs({ sub: randomUUID(), email: uniqueEmail('csrf'), email_verified: true, name: 'Y' });
    const start = await client.get('/api/auth/google/start');
    const callback = await throughProvider(start.headers.get('location')!);
    const forged = callback.replace(/state=[^&]+/, 'state=forged');
    const res = await client.get(forged.slice(platform.api.url.length));
    expect(res.headers.get('location')).toContain('/sign-in?error=google_failed');
  });
});
