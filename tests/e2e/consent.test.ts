// Cookie consent and first-party analytics in a real browser (D-CONSENT, D-DNT): the banner
// on a first visit, essential cookies only until the visitor opts in, the choice recorded
// with its time, source and policy version and changeable later from the footer; and a
// browser that sends Do Not Track or Global Privacy Control sends no analytics at all,
// whatever it chose, while the API refuses such requests on its own. Checked both in the
// requests the browser sends and in the rows the platform stored.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { Consent } from '../../db/entities/index.ts';
import {
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  type Visitor,
} from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import { recordAnalyticsRequests, signInThroughPages } from '../support/e2e-studio.ts';

declare const navigator: any;

let browser: Browser;
let db: E2eDb;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

/** Analytics are batched for a second: long enough to be sure nothing more is coming. */
const SETTLE_MS = 2000;

async function visitorIdOf(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === 'cw_visitor');
  if (!cookie) throw new Error('no visitor cookie');
  return cookie.value;
}

/** Moves around the site by its own links, as a person would. */
async function browse(visitor: Visitor) {
  const { page } = visitor;
  await page.getByRole('contentinfo').getByRole('link', { name: 'Privacy policy' }).click();
  await page.waitForURL('**/privacy');
  await page.getByRole('link', { name: 'Clipwise, home' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await sleep(SETTLE_MS);
}

/** A browser that asks not to be tracked, in its headers and to the page's scripts (or only one of them). */
async function doNotTrackVisitor(signals: { headers: boolean; script: boolean }): Promise<Visitor> {
  const visitor = await newVisitor(browser);
  if (signals.headers) {
    await visitor.context.setExtraHTTPHeaders({
      'x-forwarded-for': visitor.address,
      'x-forwarded-proto': 'http',
      dnt: '1',
      'sec-gpc': '1',
    });
  }
  if (signals.script) {
    await visitor.context.addInitScript(() => {
      Object.defineProperty(navigator, 'doNotTrack', { get: () => '1' });
      Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true });
    });
  }
  return visitor;
}

describe('[D-CONSENT] the cookie banner', () => {
  it('asks on a first visit, sends nothing until asked, and keeps “essential only” to essential', async () => {
    const visitor = await newVisitor(browser);
    const { page, context } = visitor;
    const sent = recordAnalyticsRequests(page);
    await page.goto('/');
    await hydrated(page);
    const banner = page.getByTestId('cookie-banner');
    await banner.waitFor();
    // Both answers, side by side, neither chosen for the visitor.
    expect(await banner.getByRole('button').allTextContents()).toEqual([
      'Essential cookies only',
      'Allow analytics',
    ]);
    await screenshot(page, 'cookie-banner', { fullPage: false });
    await sleep(SETTLE_MS);
    expect(sent.requests).toHaveLength(0);

    await banner.getByRole('button', { name: 'Essential cookies only' }).click();
    await banner.waitFor({ state: 'detached' });
    await browse(visitor);
    expect(sent.requests).toHaveLength(0);

    // The choice is recorded with its source and the policy version, and the banner stays away.
    const visitorId = await visitorIdOf(context);
    const rows = await db.orm.em.fork().find(Consent, { visitorId }, { orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.purpose, r.granted, r.source, r.policyVersion])).toEqual([
      ['analytics', false, 'banner', POLICY_VERSION],
    ]);
    await page.reload();
    await hydrated(page);
    expect(await banner.count()).toBe(0);
    expect(await db.analyticsFor({ visitorId })).toHaveLength(0);
    // Only the essential cookies are set: the visitor id (for forms' CSRF protection) and the CSRF cookie.
    expect((await context.cookies()).map((c) => c.name).sort()).toEqual(['cw_csrf', 'cw_visitor']);
    await leave(visitor);
  });

  it('with “Allow analytics”, sends page views and load times, and stores them', async () => {
    const visitor = await newVisitor(browser);
    const { page, context } = visitor;
    const sent = recordAnalyticsRequests(page);
    await page.goto('/');
    await hydrated(page);
    await page.getByTestId('cookie-banner').getByRole('button', { name: 'Allow analytics' }).click();
    await page.getByTestId('cookie-banner').waitFor({ state: 'detached' });
    await browse(visitor);

    const events = sent.bodies();
    expect(events.filter((e) => e.type === 'page_view').map((e) => e.name)).toEqual(['/', '/privacy', '/']);
    // Route patterns only: no query strings, no ids.
    for (const e of events) expect(e.path ?? '').not.toMatch(/\?|[0-9a-f]{8}-/);
    for (const r of sent.requests) expect(r.headers()['x-csrf-token']).toBeTruthy();

    const visitorId = await visitorIdOf(context);
    const stored = await db.analyticsFor({ visitorId });
    expect(stored.map((e) => [e.type, e.name])).toEqual(events.map((e) => [e.type, e.name]));

    // A fresh load is measured too, now that it is allowed.
    await page.reload();
    await hydrated(page);
    await sleep(SETTLE_MS);
    const loads = (await db.analyticsFor({ visitorId })).filter((e) => e.type === 'load_time');
    expect(loads).toHaveLength(1);
    expect(loads[0]!.valueMs).toBeGreaterThan(0);
    await leave(visitor);
  });

  it('can be changed later from the footer: on, then withdrawn, and sending stops', async () => {
    const visitor = await newVisitor(browser);
    const { page, context } = visitor;
    const sent = recordAnalyticsRequests(page);
    await page.goto('/privacy');
    await hydrated(page);
    await page.getByTestId('cookie-banner').getByRole('button', { name: 'Essential cookies only' }).click();
    await page.getByTestId('cookie-banner').waitFor({ state: 'detached' });

    await page.getByRole('contentinfo').getByRole('link', { name: 'Cookie settings' }).click();
    await page.waitForURL('**/cookies');
    expect(await page.getByTestId('current-choice').textContent()).toContain('analytics off');
    await page.getByLabel(/Yes, allow analytics/).check();
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByText('Saved: analytics are on.').waitFor();
    expect(await page.getByTestId('current-choice').textContent()).toContain('analytics allowed');
    await screenshot(page, 'cookie-settings');
    await browse(visitor);
    const whileOn = sent.requests.length;
    expect(whileOn).toBeGreaterThan(0);

    // Withdrawn: nothing more is sent or stored; what was recorded before stays (D-CONSENT).
    await page.getByRole('contentinfo').getByRole('link', { name: 'Cookie settings' }).click();
    await page.getByLabel(/No, essential cookies only/).check();
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByText('Saved: only essential cookies are used.').waitFor();
    await sleep(SETTLE_MS);
    const visitorId = await visitorIdOf(context);
    const before = (await db.analyticsFor({ visitorId })).length;
    const requestsBefore = sent.requests.length;
    await browse(visitor);
    expect(sent.requests.length).toBe(requestsBefore);
    expect((await db.analyticsFor({ visitorId })).length).toBe(before);
    const choices = await db.orm.em.fork().find(Consent, { visitorId }, { orderBy: { id: 'asc' } });
    expect(choices.map((c) => [c.granted, c.source])).toEqual([
      [false, 'banner'],
      [true, 'settings'],
      [false, 'settings'],
    ]);
    await leave(visitor);
  });

  it('works without JavaScript: the answer is a form post that comes back to the same page', async () => {
    const visitor = await newVisitor(browser, { javaScriptEnabled: false });
    const { page, context } = visitor;
    await page.goto('/privacy?from=footer');
    const banner = page.getByTestId('cookie-banner');
    await banner.getByRole('button', { name: 'Essential cookies only' }).click();
    await page.waitForURL('**/privacy?from=footer');
    expect(await banner.count()).toBe(0);
    const rows = await db.orm.em.fork().find(Consent, { visitorId: await visitorIdOf(context) });
    expect(rows.map((r) => [r.purpose, r.granted, r.source])).toEqual([['analytics', false, 'banner']]);
    await leave(visitor);
  });

  it('is also in account settings for a signed-in creator, whose choice is theirs', async () => {
    const account = await db.account({ name: 'Cora Cookie' });
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    const sent = recordAnalyticsRequests(page);
    await signInThroughPages(page, account, '/account');
    await page
      .getByRole('navigation', { name: 'Account settings' })
      .getByRole('link', { name: 'Cookies' })
      .click();
    await page.waitForURL('**/cookies');
    await page.getByLabel(/Yes, allow analytics/).check();
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByText('Saved: analytics are on.').waitFor();
    // The banner does not come back once the account has chosen.
    expect(await page.getByTestId('cookie-banner').count()).toBe(0);
    await page.goto('/create');
    await hydrated(page);
    await page.getByLabel('Prompt').fill('a kite over the dunes');
    await sleep(SETTLE_MS);
    expect(sent.requests.length).toBeGreaterThan(0);
    const stored = await db.analyticsFor({ userId: account.id });
    expect(stored.map((e) => e.name)).toContain('/create');
    const consent = await db.orm.em.fork().find(Consent, { user: account.id });
    expect(consent.map((c) => [c.purpose, c.granted, c.source])).toEqual([['analytics', true, 'settings']]);
    await leave(visitor);
  });
});

describe('[D-DNT] Do Not Track and Global Privacy Control', () => {
  it('a browser sending both is not asked, and sends and stores no analytics even after opting in', async () => {
    const visitor = await doNotTrackVisitor({ headers: true, script: true });
    const { page, context } = visitor;
    const sent = recordAnalyticsRequests(page);
    await page.goto('/');
    await hydrated(page);
    expect(await page.getByTestId('cookie-banner').count()).toBe(0);

    await page.goto('/cookies');
    await hydrated(page);
    await page.getByText('Your browser asks not to be tracked').waitFor();
    await page.getByLabel(/Yes, allow analytics/).check();
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByText('Saved: analytics are on.').waitFor();
    await browse(visitor);
    expect(sent.requests).toHaveLength(0);
    expect(await db.analyticsFor({ visitorId: await visitorIdOf(context) })).toHaveLength(0);
    await leave(visitor);
  });

  it('the page checks the browser’s own signal: GPC seen only by scripts still sends nothing', async () => {
    const visitor = await doNotTrackVisitor({ headers: false, script: true });
    const { page } = visitor;
    const sent = recordAnalyticsRequests(page);
    await page.goto('/cookies');
    await hydrated(page);
    expect(await page.getByTestId('cookie-banner').count()).toBe(0);
    await page.getByLabel(/Yes, allow analytics/).check();
    await page.getByRole('button', { name: 'Save my choice' }).click();
    await page.getByText('Saved: analytics are on.').waitFor();
    await browse(visitor);
    expect(sent.requests).toHaveLength(0);
    await leave(visitor);
  });

  it('the API refuses on its own: a consenting browser’s request that carries DNT stores nothing', async () => {
    const visitor = await newVisitor(browser);
    const { page, context } = visitor;
    await page.goto('/');
    await hydrated(page);
    await page.getByTestId('cookie-banner').getByRole('button', { name: 'Allow analytics' }).click();
    await page.getByTestId('cookie-banner').waitFor({ state: 'detached' });
    await sleep(SETTLE_MS);
    const visitorId = await visitorIdOf(context);
    const before = (await db.analyticsFor({ visitorId })).length;
    expect(before).toBeGreaterThan(0);

    const csrf = ((await (await page.request.get('/api/auth/session')).json()) as { csrfToken: string })
      .csrfToken;
    const body = { events: [{ type: 'page_view', name: '/dnt-check', path: '/dnt-check' }] };
    for (const signal of [{ dnt: '1' }, { 'sec-gpc': '1' }] as Record<string, string>[]) {
      const res = await page.request.post('/api/analytics/events', {
        data: body,
        headers: { 'x-csrf-token': csrf, ...signal },
      });
      expect(await res.json()).toEqual({ stored: 0, reason: 'do_not_track' });
    }
    // Without the signal the same request is stored: consent alone is enough.
    const res = await page.request.post('/api/analytics/events', {
      data: body,
      headers: { 'x-csrf-token': csrf },
    });
    expect(await res.json()).toEqual({ stored: 1 });
    expect((await db.analyticsFor({ visitorId })).length).toBe(before + 1);
    await leave(visitor);
  });
});
