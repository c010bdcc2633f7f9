import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsEvent, Consent, User } from '../../db/entities/index.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { TEST_PASSWORD, createAccount, signedIn } from '../support/accounts.ts';
import { TestClient } from '../support/client.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const events = (n = 1) => ({
  events: Array.from({ length: n }, (_, i) => ({
    type: 'page_view',
    name: `page-${i}`,
    path: '/create?prompt=secret#x',
  })),
});

async function visitor(): Promise<TestClient> {
  const client = new TestClient(platform.api.url);
  await client.refreshCsrf();
  return client;
}

describe('consent [D-CONSENT]', () => {
  it('is opt-in: nothing is stored for a visitor who has not chosen', async () => {
    const client = await visitor();
    const answer = await json(await client.post('/api/analytics/events', events()));
    expect(answer).toEqual({ stored: 0, reason: 'no_consent' });
    const state = await json(await client.get('/api/consents'));
    expect(state.choices).toEqual({ analytics: null, marketing_email: null });
  });

  it('records each choice with its time, source and policy version, append-only, and honours withdrawal from then on', async () => {
    const { user, client } = await signedIn(platform);
    await client.put('/api/consents', { analytics: true, marketingEmail: true, source: 'settings' });
    expect((await json(await client.post('/api/analytics/events', events(2)))).stored).toBe(2);
    await client.put('/api/consents', { analytics: false, source: 'settings' });
    expect(await json(await client.post('/api/analytics/events', events()))).toEqual({
      stored: 0,
      reason: 'no_consent',
    });

    const rows = await em().find(Consent, { user: user.id }, { orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.purpose, r.granted, r.source, r.policyVersion])).toEqual([
      ['analytics', true, 'settings', POLICY_VERSION],
      ['marketing_email', true, 'settings', POLICY_VERSION],
      ['analytics', false, 'settings', POLICY_VERSION],
    ]);
    // Withdrawal does not undo what was lawfully recorded before it.
    expect(await em().count(AnalyticsEvent, { user: user.id })).toBe(2);
    const state = await json(await client.get('/api/consents'));
    expect(state.choices.analytics.granted).toBe(false);
    expect(state.choices.marketing_email.granted).toBe(true);
  });

  it('keeps a signed-out visitor’s banner choice for that browser only, and never offers marketing to a visitor', async () => {
    const a = await visitor();
    const b = await visitor();
    expect((await a.put('/api/consents', { analytics: true, source: 'banner' })).status).toBe(200);
    expect((await json(await a.post('/api/analytics/events', events()))).stored).toBe(1);
    expect((await json(await b.post('/api/analytics/events', events()))).reason).toBe('no_consent');
    const marketing = await a.put('/api/consents', { marketingEmail: true, source: 'banner' });
    expect(marketing.status).toBe(400);
  });

  it('carries a banner choice made before sign-in to the account, unless the account chose since', async () => {
    const signInAs = async (client: TestClient, email: string) => {
      await client.refreshCsrf();
      const res = await client.post('/api/auth/sign-in', { email, password: TEST_PASSWORD });
      expect(res.status).toBe(200);
    };
    // A first sign-in after answering the banner: the account has the browser's choice,
    // with its own time and source, and is not asked again.
    const fresh = await createAccount(platform);
    const browser = await visitor();
    await browser.put('/api/consents', { analytics: true, source: 'banner' });
    const answeredBy = Date.now();
    await signInAs(browser, fresh.email);
    const carried = await em().find(Consent, { user: fresh.id });
    expect(carried.map((c) => [c.purpose, c.granted, c.source])).toEqual([['analytics', true, 'banner']]);
    // The time is the banner answer's, not the sign-in's: the browser's own row has it.
    expect(carried[0]!.createdAt.getTime()).toBeLessThanOrEqual(answeredBy);
    expect(
      await em().count(Consent, {
        visitorId: { $ne: null },
        createdAt: carried[0]!.createdAt,
        granted: true,
      }),
    ).toBe(1);
    expect((await json(await browser.get('/api/consents'))).choices.analytics.granted).toBe(true);
    // Signing in again carries nothing twice.
    await browser.post('/api/auth/sign-out', {});
    await signInAs(browser, fresh.email);
    expect(await em().count(Consent, { user: fresh.id })).toBe(1);

    // A fresh "no" on the banner wins over the account's older "yes"...
    const { user: decided, client: settings } = await signedIn(platform);
    await settings.put('/api/consents', { analytics: true, source: 'settings' });
    const declining = await visitor();
    await declining.put('/api/consents', { analytics: false, source: 'banner' });
    await signInAs(declining, decided.email);
    expect((await json(await declining.get('/api/consents'))).choices.analytics.granted).toBe(false);

    // ...and an account's choice made after the banner's stays.
    const early = await visitor();
    await early.put('/api/consents', { analytics: true, source: 'banner' });
    const { user: later, client: laterClient } = await signedIn(platform);
    await laterClient.put('/api/consents', { analytics: false, source: 'settings' });
    await signInAs(early, later.email);
    expect((await json(await early.get('/api/consents'))).choices.analytics.granted).toBe(false);
    expect(await em().count(Consent, { user: later.id })).toBe(1);
  });

  it('stores paths without query strings or fragments', async () => {
    const { user, client } = await signedIn(platform);
    await client.put('/api/consents', { analytics: true, source: 'banner' });
    await client.post('/api/analytics/events', events());
    const [row] = await em().find(AnalyticsEvent, { user: user.id });
    expect(row!.path).toBe('/create');
  });
});

describe('Do Not Track and Global Privacy Control [D-DNT]', () => {
  it('stores no analytics for a request carrying DNT or GPC, even with consent', async () => {
    const { user, client } = await signedIn(platform);
    await client.put('/api/consents', { analytics: true, source: 'banner' });
    const dnt = await client.request('POST', '/api/analytics/events', events(), { dnt: '1' });
    expect(await json(dnt)).toEqual({ stored: 0, reason: 'do_not_track' });
    const gpc = await client.request('POST', '/api/analytics/events', events(), { 'sec-gpc': '1' });
    expect(await json(gpc)).toEqual({ stored: 0, reason: 'do_not_track' });
    expect(await em().count(AnalyticsEvent, { user: user.id })).toBe(0);
    const state = await json(await client.request('GET', '/api/consents', undefined, { 'sec-gpc': '1' }));
    expect(state.doNotTrack).toBe(true);
  });
});

describe('restriction and objection stop analytics [D-RESTRICT] [D-OBJECT]', () => {
  it('stores nothing for a user who restricted processing or objected to analytics', async () => {
    const restricted = await signedIn(platform);
    await restricted.client.put('/api/consents', { analytics: true, source: 'banner' });
    await em().nativeUpdate(User, { id: restricted.user.id }, { restrictedAt: new Date() });
    expect((await json(await restricted.client.post('/api/analytics/events', events()))).reason).toBe(
      'restricted',
    );

    const objected = await signedIn(platform);
    await objected.client.put('/api/consents', { analytics: true, source: 'banner' });
    await em().nativeUpdate(User, { id: objected.user.id }, { objectedToAnalyticsAt: new Date() });
    expect((await json(await objected.client.post('/api/analytics/events', events()))).reason).toBe(
      'objected',
    );
    expect(await em().count(AnalyticsEvent, { user: { $in: [restricted.user.id, objected.user.id] } })).toBe(
      0,
    );
  });
});
