import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipientHash } from '../../stores/mail.ts';
import { verifyAuditChain } from '../../platform/audit.ts';
import { AccountToken, AuditEvent, EmailLog, Session, User } from '../../db/entities/index.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { RATE_LIMITS, SESSION_IDLE_TIMEOUT_MS, SIGN_IN_LOCKOUT } from '../../domain/accounts.ts';
import { TEST_PASSWORD, createAccount, signIn, signedIn, totp, uniqueEmail } from '../support/accounts.ts';
import { TestClient } from '../support/client.ts';
import { json } from '../support/http.ts';
import { mailsTo, tokenFrom, waitForMail } from '../support/mail.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();
const yearsAgo = (years: number, days = 0) => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
};
async function anonymous(): Promise<TestClient> {
  const client = new TestClient(platform.api.url);
  await client.refreshCsrf();
  return client;
}
const signUpBody = (email: string, extra: Record<string, unknown> = {}) => ({
  name: 'Ada Example',
  email,
  password: TEST_PASSWORD,
  dateOfBirth: yearsAgo(30),
  acceptPolicyVersion: POLICY_VERSION,
  ...extra,
});

describe('sign-up, verification and sign-in', () => {
  it('signs up an adult, verifies the emailed link and signs in with a browser-session cookie [R-COOKIE]', async () => {
    const client = await anonymous();
    const email = uniqueEmail('adult');
    const res = await client.post('/api/auth/sign-up', signUpBody(email));
    expect(res.status).toBe(202);
    expect((await json(res)).status).toBe('verification_sent');
    expect(res.headers.getSetCookie().some((c) => c.includes('cw_session'))).toBe(false);

    const user = await em().findOneOrFail(User, { email });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.emailVerifiedAt).toBeNull();

    const mail = await waitForMail(email, /Confirm your email/);
    const verify = await client.post('/api/auth/verify-email', { token: tokenFrom(mail) });
    expect(verify.status).toBe(200);
    const again = await client.post('/api/auth/verify-email', { token: tokenFrom(mail) });
    expect(again.status).toBe(400);

    const signInRes = await client.post('/api/auth/sign-in', {
      email: email.toUpperCase(),
      password: TEST_PASSWORD,
    });
    expect(signInRes.status).toBe(200);
    const body = await json(signInRes);
    expect(body.user).toMatchObject({ email, emailVerified: true, role: 'creator' });
    const cookie = signInRes.headers.getSetCookie().find((c) => c.startsWith('cw_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    // A session cookie: no expiry, so it ends with the browser session.
    expect(cookie).not.toMatch(/Expires=|Max-Age=/i);
    // Only the token's hash is stored.
    const token = cookie.split(';')[0]!.split('=')[1]!;
    expect(await em().count(Session, { tokenHash: token })).toBe(0);
  });

  it('answers a sign-up for a registered address exactly like a new one, and tells the owner', async () => {
    const existing = await createAccount(platform);
    const client = await anonymous();
    const res = await client.post('/api/auth/sign-up', signUpBody(existing.email, { name: 'Someone Else' }));
    expect(res.status).toBe(202);
    expect((await json(res)).status).toBe('verification_sent');
    expect(await em().count(User, { email: existing.email })).toBe(1);
    await waitForMail(existing.email, /tried to sign up/);
  });

  it('[D-MINOR] refuses a sign-up under 13 and stores nothing', async () => {
    const client = await anonymous();
    const email = uniqueEmail('child');
    const auditBefore = await em().count(AuditEvent, {});
    const res = await client.post('/api/auth/sign-up', signUpBody(email, { dateOfBirth: yearsAgo(12) }));
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('age_requirement');
    expect(await em().count(User, { email })).toBe(0);
    expect(await em().count(AccountToken, { sentTo: email })).toBe(0);
    expect(await mailsTo(email)).toHaveLength(0);
    const events = await em().find(AuditEvent, {}, { orderBy: { id: 'desc' }, limit: 20 });
    expect(JSON.stringify(events)).not.toContain(email);
    expect(await em().count(AuditEvent, {})).toBeGreaterThanOrEqual(auditBefore);
  });

  it('[D-MINOR] holds a 15-year-old until a parent confirms by email', async () => {
    const client = await anonymous();
    const email = uniqueEmail('teen');
    const parent = uniqueEmail('parent');
    const missingParent = await client.post(
      '/api/auth/sign-up',
      signUpBody(email, { dateOfBirth: yearsAgo(15) }),
    );
    expect(missingParent.status).toBe(400);
    expect((await json(missingParent)).error.fields[0].field).toBe('parentEmail');

    const res = await client.post(
      '/api/auth/sign-up',
      signUpBody(email, { dateOfBirth: yearsAgo(15), parentEmail: parent }),
    );
    expect(res.status).toBe(202);
    expect((await json(res)).status).toBe('awaiting_parental_consent');
    const user = await em().findOneOrFail(User, { email });
    expect(user.status).toBe('awaiting_parental_consent');

    const signInRes = await client.post('/api/auth/sign-in', { email, password: TEST_PASSWORD });
    expect(signInRes.status).toBe(200);
    client.csrfToken = (await json(signInRes)).csrfToken;
    const blocked = await client.put('/api/account/preferences', { theme: 'dark' });
    expect(blocked.status).toBe(403);
    expect((await json(blocked)).error.code).toBe('parental_consent_required');
    // The session itself still answers, so the site can explain the wait.
    expect((await client.get('/api/account')).status).toBe(200);

    const consent = await waitForMail(parent, /would like to use Clipwise/);
    const confirm = await (
      await anonymous()
    ).post('/api/auth/parental-consent/confirm', { token: tokenFrom(consent) });
    expect(confirm.status).toBe(200);
    expect((await em().findOneOrFail(User, { email })).parentalConsentAt).toBeInstanceOf(Date);
    expect((await client.put('/api/account/preferences', { theme: 'dark' })).status).toBe(200);
  });

  it('gives the same answer for a wrong password and an unknown address', async () => {
    const user = await createAccount(platform);
    const client = await anonymous();
    const wrong = await client.post('/api/auth/sign-in', { email: user.email, password: 'not the password' });
    const unknown = await client.post('/api/auth/sign-in', {
      email: uniqueEmail('nobody'),
      password: 'not the password',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await json(wrong)).error.message).toBe((await json(unknown)).error.message);
  });

  it('names every offending field of a bad sign-up', async () => {
    const client = await anonymous();
    const res = await client.post('/api/auth/sign-up', {
      name: '',
      email: 'not-an-email',
      password: 'short',
    });
    expect(res.status).toBe(400);
    const fields = (await json(res)).error.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(
      expect.arrayContaining(['name', 'email', 'password', 'dateOfBirth', 'acceptPolicyVersion']),
    );
  });
});

describe('rate limits and lock-out [S-RATE]', () => {
  it('limits sign-in attempts from one client address, with Retry-After', async () => {
    const client = await anonymous();
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.signIn.limit + 1; i++) {
      const res = await client.post('/api/auth/sign-in', {
        email: uniqueEmail('rate'),
        password: 'whatever-pass',
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await json(res)).error.code).toBe('rate_limited');
      }
    }
    expect(statuses.slice(0, RATE_LIMITS.signIn.limit).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('limits sign-ups from one client address', async () => {
    const client = await anonymous();
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.signUp.limit + 1; i++) {
      statuses.push((await client.post('/api/auth/sign-up', signUpBody(uniqueEmail('many')))).status);
    }
    expect(statuses.slice(0, RATE_LIMITS.signUp.limit).every((s) => s === 202)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('limits password reset requests from one client address', async () => {
    const client = await anonymous();
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMITS.passwordReset.limit + 1; i++) {
      statuses.push(
        (await client.post('/api/auth/password-reset/request', { email: uniqueEmail('reset') })).status,
      );
    }
    expect(statuses.at(-1)).toBe(429);
  });

  it('locks an address after repeated failures from any client, even for the right password, and audits it', async () => {
    const user = await createAccount(platform);
    let last: Response | undefined;
    for (let i = 0; i <= SIGN_IN_LOCKOUT.freeFailures; i++) {
      // A new client address each time: the lock follows the account, not the address.
      last = await (
        await anonymous()
      ).post('/api/auth/sign-in', { email: user.email, password: `wrong-${i}` });
    }
    expect(last!.status).toBe(429);
    expect((await json(last!)).error.code).toBe('sign_in_locked');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    const right = await (
      await anonymous()
    ).post('/api/auth/sign-in', { email: user.email, password: TEST_PASSWORD });
    expect(right.status).toBe(429);
    expect(await em().count(AuditEvent, { action: 'auth.sign_in_locked', subjectUserId: user.id })).toBe(1);
    // The failure that reaches the threshold locks; attempts while locked are refused before any check.
    expect(await em().count(AuditEvent, { action: 'auth.sign_in_failed', subjectUserId: user.id })).toBe(
      SIGN_IN_LOCKOUT.freeFailures,
    );
  });
});

describe('sessions and CSRF', () => {
  it('[R-COOKIE] sets only cookies that end with the browser session, or within 2 years, on every path', async () => {
    // Everything a visitor meets: a token before sign-in (the visitor cookie), a cookie
    // choice, sign-up, verification, sign-in with its session and CSRF cookies, sign-out.
    const client = await anonymous();
    await client.put('/api/consents', { analytics: false, source: 'banner' });
    const email = uniqueEmail('cookies');
    await client.post('/api/auth/sign-up', signUpBody(email));
    const mail = await waitForMail(email, /Confirm your email/);
    await client.post('/api/auth/verify-email', { token: tokenFrom(mail) });
    await client.post('/api/auth/sign-in', { email, password: TEST_PASSWORD });
    await client.refreshCsrf();
    await client.post('/api/auth/sign-out');
    const names = new Set(client.setCookieLines.map((l) => l.split('=')[0]));
    expect([...names].sort()).toEqual(expect.arrayContaining(['cw_session']));
    expect(names.size).toBeGreaterThanOrEqual(3);
    const TWO_YEARS_S = 2 * 365 * 24 * 3600;
    for (const line of client.setCookieLines) {
      const maxAge = /;\s*Max-Age=(-?\d+)/i.exec(line)?.[1];
      const expires = /;\s*Expires=([^;]+)/i.exec(line)?.[1];
      const clearing = line.split(';')[0]!.endsWith('=') || (maxAge !== undefined && Number(maxAge) <= 0);
      if (clearing) continue;
      const lifetimeS =
        maxAge !== undefined ? Number(maxAge) : expires ? (Date.parse(expires) - Date.now()) / 1000 : 0;
      expect({ line: line.split('=')[0], lifetimeS: Math.min(lifetimeS, TWO_YEARS_S + 1) }).toEqual({
        line: line.split('=')[0],
        lifetimeS: Math.min(lifetimeS, TWO_YEARS_S),
      });
    }
  });

  it('refuses a state-changing request without the CSRF token, or with another session’s', async () => {
    const a = await signedIn(platform);
    const b = await signedIn(platform);
    const none = await a.client.request(
      'PUT',
      '/api/account/preferences',
      { theme: 'dark' },
      { 'x-csrf-token': '' },
    );
    expect(none.status).toBe(403);
    expect((await json(none)).error.code).toBe('csrf_failed');
    const foreign = await a.client.request(
      'PUT',
      '/api/account/preferences',
      { theme: 'dark' },
      { 'x-csrf-token': b.client.csrfToken! },
    );
    expect(foreign.status).toBe(403);
    expect((await a.client.put('/api/account/preferences', { theme: 'dark' })).status).toBe(200);
  });

  it('refuses an expired, idle or revoked session', async () => {
    const expired = await signedIn(platform);
    await em().nativeUpdate(Session, { user: expired.user.id }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await expired.client.get('/api/account')).status).toBe(401);

    const idle = await signedIn(platform);
    await em().nativeUpdate(
      Session,
      { user: idle.user.id },
      { lastSeenAt: new Date(Date.now() - SESSION_IDLE_TIMEOUT_MS - 1000) },
    );
    expect((await idle.client.get('/api/account')).status).toBe(401);

    const user = await createAccount(platform);
    const laptop = await signIn(platform, user);
    const phone = await signIn(platform, user);
    expect((await phone.post('/api/auth/sign-out-everywhere')).status).toBe(200);
    expect((await laptop.get('/api/account')).status).toBe(401);
    expect((await phone.get('/api/account')).status).toBe(401);
  });

  it('rotates the session on every sign-in and lists sessions with their log', async () => {
    const user = await createAccount(platform);
    const first = await signIn(platform, user);
    const firstCookie = first.cookies.get('cw_session');
    const second = await signIn(platform, user);
    expect(second.cookies.get('cw_session')).not.toBe(firstCookie);
    const list = await json(await second.get('/api/account/sessions'));
    expect(list.sessions).toHaveLength(2);
    expect(list.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(list.sessions[0].ip).toMatch(/^10\./);
    const other = list.sessions.find((s: { current: boolean }) => !s.current);
    expect((await second.delete(`/api/account/sessions/${other.id}`)).status).toBe(200);
    expect((await first.get('/api/account')).status).toBe(401);
    // Another person's session id is as unknown as a made-up one.
    const stranger = await signedIn(platform);
    expect((await stranger.client.delete(`/api/account/sessions/${list.sessions[0].id}`)).status).toBe(404);
  });

  it('resets a password by emailed token, once, ending every session', async () => {
    const user = await createAccount(platform);
    const client = await signIn(platform, user);
    const anon = await anonymous();
    expect((await anon.post('/api/auth/password-reset/request', { email: user.email })).status).toBe(202);
    expect(
      (await anon.post('/api/auth/password-reset/request', { email: uniqueEmail('ghost') })).status,
    ).toBe(202);
    const token = tokenFrom(await waitForMail(user.email, /Reset your password/));
    const confirm = await anon.post('/api/auth/password-reset/confirm', {
      token,
      newPassword: 'a brand new passphrase',
    });
    expect(confirm.status).toBe(200);
    expect(
      (await anon.post('/api/auth/password-reset/confirm', { token, newPassword: 'another passphrase' }))
        .status,
    ).toBe(400);
    expect((await client.get('/api/account')).status).toBe(401);
    const res = await anon.post('/api/auth/sign-in', {
      email: user.email,
      password: 'a brand new passphrase',
    });
    expect(res.status).toBe(200);
  });

  it('[R-SUPPORT-3Y] logs every account email by template and a keyed hash of the address, never the address', async () => {
    const client = await anonymous();
    const email = uniqueEmail('logged');
    const parent = uniqueEmail('logged-parent');
    await client.post(
      '/api/auth/sign-up',
      signUpBody(email, { dateOfBirth: yearsAgo(16), parentEmail: parent }),
    );
    const user = await em().findOneOrFail(User, { email });
    await client.post('/api/auth/sign-up', signUpBody(email, { name: 'Someone Else' }));
    await client.post('/api/auth/password-reset/request', { email });
    await client.post('/api/auth/password-reset/request', { email: uniqueEmail('nobody') });

    const rows = await em().find(EmailLog, { user: user.id }, { orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.template, r.category, r.recipientHash])).toEqual([
      ['verify_email', 'transactional', recipientHash(platform.config, email)],
      ['parental_consent', 'transactional', recipientHash(platform.config, parent)],
      ['already_registered', 'transactional', recipientHash(platform.config, email)],
      ['password_reset', 'transactional', recipientHash(platform.config, email)],
    ]);
    // No address, link or token anywhere in the log.
    const raw = JSON.stringify(await em().execute(`select * from email_log where user_id = ?`, [user.id]));
    expect(raw).not.toContain(email);
    expect(raw).not.toContain(parent);
    expect(raw).not.toContain('token=');
  });

  it('answers only the site’s own origin for CORS and sends security headers', async () => {
    const res = await fetch(`${platform.api.url}/api/auth/session`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const own = await fetch(`${platform.api.url}/api/auth/session`, {
      headers: { origin: platform.config.web.publicUrl },
    });
    expect(own.headers.get('access-control-allow-origin')).toBe(
      new URL(platform.config.web.publicUrl).origin,
    );
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    expect(own.headers.get('content-security-policy')).toBeTruthy();
  });

  it('lets no browser or proxy keep a copy of an answer: no-store, and no validator to revalidate', async () => {
    const { client } = await signedIn(platform);
    const first = await client.get('/api/account');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('etag')).toBeNull();
    // A conditional read is answered in full, never 304 from a copy.
    const again = await client.request('GET', '/api/account', undefined, { 'if-none-match': 'W/"anything"' });
    expect(again.status).toBe(200);
    expect((await json(again)).email).toBe((await json(first)).email);
    // Errors too: they name the caller's resources.
    const missing = await client.get(`/api/jobs/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('cache-control')).toBe('no-store');
  });
});

describe('profile and preferences [D-RECTIFY]', () => {
  it('lets a user correct their name and email, each change audited, a new email re-verified', async () => {
    const { user, client } = await signedIn(platform);
    const res = await client.patch('/api/account', { name: 'Corrected Name' });
    expect(res.status).toBe(200);
    expect((await json(res)).name).toBe('Corrected Name');
    const newEmail = uniqueEmail('moved');
    const moved = await json(await client.patch('/api/account', { email: newEmail }));
    expect(moved).toMatchObject({ email: newEmail, emailVerified: false });
    await waitForMail(newEmail, /Confirm your email/);
    const prefs = await client.put('/api/account/preferences', {
      language: 'de',
      theme: 'dark',
      generationDefaults: { model: 'local-v1', durationSeconds: 5 },
    });
    expect((await json(prefs)).preferences).toMatchObject({ language: 'de', theme: 'dark' });
    const events = await em().find(
      AuditEvent,
      { subjectUserId: user.id, action: { $like: 'account.%' } },
      { orderBy: { id: 'asc' } },
    );
    expect(events.map((e) => [e.action, e.details])).toEqual([
      ['account.rectified', { fields: ['name'] }],
      ['account.rectified', { fields: ['email'] }],
      ['account.preferences_changed', { fields: ['language', 'theme', 'generationDefaults'] }],
    ]);
    // Values are not copied into the audit log: only which fields changed.
    expect(JSON.stringify(events)).not.toContain('Corrected Name');
  });
});

describe('staff multi-factor authentication [S-MFA]', () => {
  it('refuses staff routes to staff without MFA, and to a session that has not passed it', async () => {
    const noMfa = await createAccount(platform, { role: 'support' });
    const client = await signIn(platform, noMfa);
    const res = await client.get(`/api/staff/users/${noMfa.id}`);
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('mfa_required');

    const withMfa = await createAccount(platform, { role: 'support', mfa: true });
    const halfway = await signIn(platform, { ...withMfa, mfaSeed: undefined } as typeof withMfa);
    expect((await halfway.get(`/api/staff/users/${withMfa.id}`)).status).toBe(403);
    const code = await totp(withMfa.mfaSeed!);
    const verify = await halfway.post('/api/auth/mfa/verify', { code });
    expect(verify.status).toBe(200);
    halfway.csrfToken = (await json(verify)).csrfToken;
    expect((await halfway.get(`/api/staff/users/${withMfa.id}`)).status).toBe(200);

    // The same code cannot be used twice.
    const replay = await signIn(platform, { ...withMfa, mfaSeed: undefined } as typeof withMfa);
    expect((await replay.post('/api/auth/mfa/verify', { code })).status).toBe(401);
  });

  it('enrols a staff member with an authenticator and recovery codes that work once', async () => {
    const staff = await createAccount(platform, { role: 'legal' });
    const client = await signIn(platform, staff);
    const setup = await json(await client.post('/api/account/mfa/setup'));
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const enable = await client.post('/api/account/mfa/enable', { code: await totp(setup.secret) });
    expect(enable.status).toBe(200);
    const { recoveryCodes, csrfToken } = await json(enable);
    client.csrfToken = csrfToken;
    expect(recoveryCodes).toHaveLength(10);
    expect((await client.get('/api/admin/audit/verify')).status).toBe(200);

    const other = await signIn(platform, staff);
    const used = await other.post('/api/auth/mfa/verify', { recoveryCode: recoveryCodes[0] });
    expect(used.status).toBe(200);
    const again = await signIn(platform, staff);
    expect((await again.post('/api/auth/mfa/verify', { recoveryCode: recoveryCodes[0] })).status).toBe(401);
    const actions = (
      await em().find(AuditEvent, { subjectUserId: staff.id }, { orderBy: { id: 'asc' } })
    ).map((e) => e.action);
    expect(actions).toContain('account.mfa_enabled');
    expect(actions).toContain('auth.mfa_failed');
  });
  it('asks a creator who turned on two-factor for the code at every sign-in before anything else', async () => {
    const creator = await createAccount(platform);
    const client = await signIn(platform, creator);
    const setup = await json(await client.post('/api/account/mfa/setup'));
    const enable = await client.post('/api/account/mfa/enable', { code: await totp(setup.secret) });
    expect(enable.status).toBe(200);
    const next = await signIn(platform, creator);
    const blocked = await next.put('/api/account/preferences', { theme: 'dark' });
    expect(blocked.status).toBe(403);
    expect((await json(blocked)).error.code).toBe('mfa_required');
    expect((await next.get('/api/account')).status).toBe(200);
    const { recoveryCodes } = await json(enable);
    const verified = await next.post('/api/auth/mfa/verify', { recoveryCode: recoveryCodes[1] });
    expect(verified.status).toBe(200);
    next.csrfToken = (await json(verified)).csrfToken;
    expect((await next.put('/api/account/preferences', { theme: 'dark' })).status).toBe(200);
  });
});

describe('roles and staff access [S-RBAC]', () => {
  it('records every staff look at a person’s account in their audit trail', async () => {
    const person = await createAccount(platform);
    const support = await signedIn(platform, { role: 'support', mfa: true });
    expect((await support.client.get(`/api/staff/users/${person.id}`)).status).toBe(200);
    const events = await em().find(AuditEvent, { subjectUserId: person.id, action: 'staff.viewed_user' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: support.user.id, actorRole: 'support' });
  });

  it('records a look at each account a staff search finds, in the order listed, on a chain that verifies', async () => {
    const found = [];
    for (let i = 0; i < 3; i++)
      found.push((await signedIn(platform, { role: 'operator', mfa: true })).user.id);
    const support = await signedIn(platform, { role: 'support', mfa: true });
    const res = await support.client.get('/api/staff/users?role=operator&limit=3');
    expect(res.status).toBe(200);
    const listed: string[] = (await json(res)).users.map((u: { id: string }) => u.id);
    // Newest first: the three just made.
    expect([...listed].sort()).toEqual([...found].sort());
    const events = await em().find(
      AuditEvent,
      { actorId: support.user.id, action: 'staff.viewed_user' },
      { orderBy: { id: 'asc' } },
    );
    expect(events.map((e) => e.subjectUserId)).toEqual(listed);
    expect(events.every((e) => e.details?.via === 'search')).toBe(true);
    // One chain, each event linked to the one before it.
    for (const [n, event] of events.entries()) {
      if (n > 0) expect(event).toMatchObject({ chain: events[0]!.chain, prevHash: events[n - 1]!.hash });
    }
    expect((await verifyAuditChain(em())).ok).toBe(true);
  });

  it('lets only an admin change a role, which ends the person’s sessions and is audited', async () => {
    const person = await createAccount(platform);
    const personClient = await signIn(platform, person);
    const support = await signedIn(platform, { role: 'support', mfa: true });
    expect(
      (
        await support.client.put(`/api/admin/users/${person.id}/role`, {
          role: 'operator',
          reason: 'new hire',
        })
      ).status,
    ).toBe(403);
    const admin = await signedIn(platform, { role: 'admin', mfa: true });
    const res = await admin.client.put(`/api/admin/users/${person.id}/role`, {
      role: 'operator',
      reason: 'new hire',
    });
    expect(res.status).toBe(200);
    expect((await json(res)).role).toBe('operator');
    expect((await personClient.get('/api/account')).status).toBe(401);
    const [event] = await em().find(AuditEvent, { subjectUserId: person.id, action: 'staff.role_changed' });
    expect(event!.details).toMatchObject({ from: 'creator', to: 'operator', reason: 'new hire' });
  });
});
