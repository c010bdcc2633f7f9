// The privacy center in a real browser (section D of the promises): a creator asks for a
// copy of their data, confirms it with the code emailed to them (a wrong try, tries left, a
// new code), follows it to the end and downloads the ZIP archive; consent, objection and
// restriction switches change what the center shows, with and without JavaScript and at
// phone width; the unsubscribe link's page works without JavaScript; and a policy version
// that needs consent sends the creator to accept it, then back to where they were.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signLink } from '../../platform/links.ts';
import { Consent } from '../../db/entities/index.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { UNSUBSCRIBE_LINK_TTL_MS } from '../../domain/consent.ts';
import { VERIFICATION_MAX_ATTEMPTS } from '../../domain/rights-request.ts';
import { daysLeft, dueDate } from '../../domain/rights-request-clock.ts';
import {
  documentWidth,
  focusedName,
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
} from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import {
  CODE_SUBJECT,
  codeFrom,
  linksIn,
  mailCount,
  nextMail,
  staffApi,
} from '../support/e2e-rights-request.ts';
import { answerCookieBanner, signInThroughPages } from '../support/e2e-studio.ts';

let browser: Browser;
let db: E2eDb;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

/** A code that is certainly not the emailed one. */
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('a copy of my data', () => {
  it('[D-ACCESS] [D-VERIFY] [D-CLOCK] is asked for, confirmed with the emailed code, followed to the end and downloaded as a ZIP', async () => {
    const creator = await db.account({ name: 'Ada Access' });
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await signInThroughPages(page, creator);
    await answerCookieBanner(page, 'essential');

    // The center is in the main menu and in account settings.
    await page.goto('/account');
    await page
      .getByRole('navigation', { name: 'Account settings' })
      .getByRole('link', { name: 'Privacy center' })
      .click();
    await page.waitForURL('**/privacy-center');
    await expect
      .poll(() =>
        page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Privacy center' })
          .getAttribute('aria-current'),
      )
      .toBe('page');

    await page.getByRole('link', { name: 'Get a copy of my data' }).click();
    await page.waitForURL('**/privacy-center/request?type=access');
    await hydrated(page);
    expect(await page.getByRole('radio', { name: /^Copy of my data/ }).isChecked()).toBe(true);
    // Each choice says what it means.
    expect(await page.getByText(/as JSON and CSV files in one ZIP archive/).count()).toBe(1);
    await page.getByRole('radio', { name: /^European Union, EEA or United Kingdom/ }).check();
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/privacy\/requests\/[0-9a-f-]{36}\?made=1$/);
    const requestId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Copy of my data');
    expect(await page.getByTestId('request-status').getAttribute('data-status')).toBe(
      'awaiting_verification',
    );
    expect(await page.getByTestId('attempts-left').textContent()).toContain(
      `${VERIFICATION_MAX_ATTEMPTS} tries left`,
    );

    // D-VERIFY: a wrong code is refused next to the field, with the tries left.
    const first = codeFrom(await nextMail(creator.email, CODE_SUBJECT));
    await hydrated(page);
    await page.getByLabel('6-digit code').fill(wrongCode(first));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const fieldError = page.locator('#main p.error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain(`${VERIFICATION_MAX_ATTEMPTS - 1} tries left`);
    expect(await focusedName(page)).toBe('code');
    expect(await page.getByTestId('attempts-left').textContent()).toContain(
      `${VERIFICATION_MAX_ATTEMPTS - 1} tries left`,
    );

    // A new code replaces the first one.
    const seen = await mailCount(creator.email, CODE_SUBJECT);
    await page.getByRole('button', { name: 'Email me a new code' }).click();
    await page.getByText('We emailed you a new code').waitFor();
    const second = codeFrom(await nextMail(creator.email, CODE_SUBJECT, seen));
    expect(await page.getByTestId('attempts-left').textContent()).toContain(
      `${VERIFICATION_MAX_ATTEMPTS} tries left`,
    );
    await page.getByLabel('6-digit code').fill(second);
    const verifiedAt = new Date();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('it is confirmed. Our deadline counts from now.').waitFor();

    // D-CLOCK: the deadline is one calendar month from the confirmation, shown in days.
    const expected = daysLeft(dueDate('GDPR', verifiedAt), new Date());
    const due = page.getByTestId('due');
    if ((await page.getByTestId('request-status').getAttribute('data-status')) !== 'completed') {
      await due.waitFor();
      expect(await due.textContent()).toMatch(new RegExp(`due in (${expected}|${expected - 1}) days`));
    }

    // The page follows the workflow by itself until the archive is ready.
    const download = page.getByTestId('download-export');
    await download.waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="request-status"][data-status="completed"]').waitFor();
    expect(await page.locator('[data-step="archive"]').getAttribute('data-state')).toBe('done');
    await screenshot(page, 'privacy-request');

    const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
    const bytes = await readFile((await file.path())!);
    // A ZIP archive (local file header), with the JSON and the CSV files inside.
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    expect(bytes.includes('.json')).toBe(true);
    expect(bytes.includes('.csv')).toBe(true);

    // The email says it is ready and links to this very page of the site.
    const ready = await nextMail(creator.email, /export is ready/i);
    const link = linksIn(ready).find((l) => l.includes(requestId));
    expect(link).toBe(`${inject('siteUrl')}/privacy/requests/${requestId}`);
    await page.goto(link!);
    expect(await page.getByTestId('download-export').count()).toBe(1);

    // The center lists it as done.
    await page.goto('/privacy-center');
    const row = page.locator(`[data-testid="request"][data-request="${requestId}"]`);
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('completed');
    await leave(visitor);
  });
});

describe('choices in the privacy center', () => {
  it('[D-CONSENT] [D-OBJECT] [D-RESTRICT] change what the center shows, with and without JavaScript', async () => {
    const creator = await db.account({ name: 'Chloe Choices' });
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await signInThroughPages(page, creator, '/privacy-center');
    await answerCookieBanner(page, 'essential');
    await page.reload();
    await hydrated(page);

    const analytics = page.getByRole('switch', { name: 'Analytics cookies' });
    const marketing = page.getByRole('switch', { name: 'Marketing email' });
    const restriction = page.getByRole('switch', { name: 'Restrict processing' });
    const objectAnalytics = page.getByRole('switch', { name: 'Object to analytics' });
    const checked = (s: typeof analytics) => s.getAttribute('aria-checked');
    expect([await checked(analytics), await checked(marketing), await checked(restriction)]).toEqual([
      'false',
      'false',
      'false',
    ]);
    // The banner's "essential only" is a recorded choice, with its policy version.
    expect(await page.getByTestId('consent-analytics').textContent()).toContain(
      `policy version ${POLICY_VERSION}`,
    );

    // D-CONSENT: opt in to analytics and to marketing email.
    await analytics.click();
    await expect.poll(() => checked(analytics)).toBe('true');
    expect(await page.getByText('Analytics are allowed. Thank you.').count()).toBe(1);
    await marketing.click();
    await expect.poll(() => checked(marketing)).toBe('true');
    const consents = await db.orm.em
      .fork()
      .find(Consent, { user: creator.id, source: 'privacy_center' }, { orderBy: { id: 'asc' } });
    expect(consents.map((c) => [c.purpose, c.granted])).toEqual([
      ['analytics', true],
      ['marketing_email', true],
    ]);

    // D-OBJECT: objecting to analytics says so where the analytics choice is.
    expect(await page.getByTestId('consent-analytics-note').count()).toBe(0);
    await objectAnalytics.click();
    await expect.poll(() => checked(objectAnalytics)).toBe('true');
    expect(await page.getByTestId('consent-analytics-note').textContent()).toContain(
      'You object to analytics',
    );

    // D-RESTRICT: restricting processing shows the banner, and says so by the analytics choice.
    expect(await page.getByTestId('restricted-banner').count()).toBe(0);
    await restriction.click();
    await page.getByTestId('restricted-banner').waitFor();
    expect(await checked(restriction)).toBe('true');
    expect(await page.getByTestId('restricted-banner').textContent()).toContain("you can't create videos");
    expect(await page.getByTestId('consent-analytics-note').textContent()).toContain(
      'Processing is restricted',
    );
    await screenshot(page, 'privacy-center');

    // At phone width, nothing scrolls sideways.
    const phone = await newVisitor(browser, {
      width: 375,
      height: 812,
      storageState: await visitor.context.storageState(),
    });
    for (const path of ['/privacy-center', '/privacy-center/request', '/privacy-center/delete']) {
      await phone.page.goto(path);
      const { scrollWidth, viewport } = await documentWidth(phone.page);
      expect(scrollWidth, path).toBeLessThanOrEqual(viewport);
    }
    await leave(phone);

    // Without JavaScript the switches are plain forms: lifting the restriction works the same.
    const plain = await newVisitor(browser, {
      javaScriptEnabled: false,
      storageState: await visitor.context.storageState(),
    });
    await plain.page.goto('/privacy-center');
    await plain.page.getByRole('switch', { name: 'Restrict processing' }).click();
    await plain.page.waitForLoadState();
    expect(await plain.page.getByText('The restriction is lifted').count()).toBe(1);
    expect(await plain.page.getByTestId('restricted-banner').count()).toBe(0);
    expect(
      await plain.page.getByRole('switch', { name: 'Restrict processing' }).getAttribute('aria-checked'),
    ).toBe('false');
    await leave(plain);

    await page.reload();
    expect(await page.getByTestId('restricted-banner').count()).toBe(0);
    expect(await checked(page.getByRole('switch', { name: 'Restrict processing' }))).toBe('false');
    await leave(visitor);
  });

  it('[D-UNSUB] unsubscribes from the link of a marketing email, without JavaScript, and only on the button', async () => {
    const creator = await db.account({ name: 'Una Unsub' });
    const visitor = await newVisitor(browser);
    await signInThroughPages(visitor.page, creator, '/privacy-center');
    await answerCookieBanner(visitor.page, 'essential');
    await hydrated(visitor.page);
    const marketing = visitor.page.getByRole('switch', { name: 'Marketing email' });
    await marketing.click();
    await expect.poll(() => marketing.getAttribute('aria-checked')).toBe('true');

    // The signed link every marketing email carries (stores/mail.ts).
    const token = signLink(
      db.config.sessionSecret,
      'unsubscribe',
      creator.id,
      Date.now() + UNSUBSCRIBE_LINK_TTL_MS,
    );
    const mailbox = await newVisitor(browser, { javaScriptEnabled: false });
    await mailbox.page.goto(`/unsubscribe?u=${creator.id}&token=${encodeURIComponent(token)}`);
    // Opening the page changes nothing: mail scanners open links too.
    const granted = async () =>
      (
        await db.orm.em
          .fork()
          .find(
            Consent,
            { user: creator.id, purpose: 'marketing_email' },
            { orderBy: { id: 'desc' }, limit: 1 },
          )
      )[0]?.granted;
    expect(await granted()).toBe(true);
    await mailbox.page.getByRole('button', { name: 'Unsubscribe' }).click();
    await mailbox.page.getByTestId('unsubscribed').waitFor();
    expect(await granted()).toBe(false);
    // A tampered link is refused in plain words.
    await mailbox.page.goto(
      `/unsubscribe?u=${creator.id}&token=${encodeURIComponent(`${token.slice(0, -2)}xx`)}`,
    );
    await mailbox.page.getByRole('button', { name: 'Unsubscribe' }).click();
    await mailbox.page.getByText('This unsubscribe link is invalid or has expired.').waitFor();
    await leave(mailbox);

    await visitor.page.reload();
    expect(
      await visitor.page.getByRole('switch', { name: 'Marketing email' }).getAttribute('aria-checked'),
    ).toBe('false');
    await leave(visitor);
  });
});

describe('without JavaScript', () => {
  it('[D-OBJECT] [D-VERIFY] makes and confirms a request with plain forms, problems said next to the fields', async () => {
    const creator = await db.account({ name: 'Noa Script' });
    const signedIn = await newVisitor(browser);
    await signInThroughPages(signedIn.page, creator);
    await answerCookieBanner(signedIn.page, 'essential');
    const visitor = await newVisitor(browser, {
      javaScriptEnabled: false,
      storageState: await signedIn.context.storageState(),
    });
    await leave(signedIn);
    const { page } = visitor;

    await page.goto('/privacy-center/request');
    // Every follow-up question is on the page, each saying which request it belongs to.
    expect(await page.getByText('(only for “Object to analytics or marketing”)').count()).toBe(1);
    await page.getByRole('radio', { name: /^Object to analytics or marketing/ }).check();
    await page.getByRole('radio', { name: /^Somewhere else, or not sure/ }).check();
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.getByText('Choose analytics, marketing or both.').waitFor();
    // What was chosen is kept.
    expect(await page.getByRole('radio', { name: /^Object to analytics or marketing/ }).isChecked()).toBe(
      true,
    );

    await page.getByRole('checkbox', { name: 'Analytics about how I use Clipwise' }).check();
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/privacy\/requests\/[0-9a-f-]{36}\?made=1$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Object to analytics or marketing',
    );

    const code = codeFrom(await nextMail(creator.email, CODE_SUBJECT));
    await page.getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('it is confirmed. Our deadline counts from now.').waitFor();
    // Applied by its workflow: the objection switch in the center shows it.
    await expect
      .poll(
        async () => {
          await page.goto('/privacy-center');
          return page.getByRole('switch', { name: 'Object to analytics' }).getAttribute('aria-checked');
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('true');

    // A request nothing has started on can be cancelled.
    await page.goto('/privacy-center/request?type=restriction');
    await page.getByRole('radio', { name: /^Somewhere else, or not sure/ }).check();
    await page.getByRole('button', { name: 'Send request' }).click();
    await page.waitForURL(/\/privacy\/requests\/[0-9a-f-]{36}\?made=1$/);
    await page.getByRole('button', { name: 'Cancel this request' }).click();
    await page.getByText('Cancelled. Nothing more will be done for this request.').waitFor();
    expect(await page.getByTestId('request-status').getAttribute('data-status')).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel this request' }).count()).toBe(0);
    await leave(visitor);
  });
});

// Last in this file: a published version that needs consent concerns every account made
// before it (the accounts of the tests above are done with by then).
describe('a policy change that needs consent', () => {
  it('[D-POLICY] sends the creator to accept it before anything else, then back', async () => {
    const [creator, legal] = await Promise.all([
      db.account({ name: 'Pia Policy' }),
      db.account({ name: 'Lena Legal', role: 'legal', mfa: true }),
    ]);
    const version = `e2e-${randomUUID().slice(0, 8)}`;
    const summary = 'We now name the AI providers that receive each job, and ask for your agreement.';
    const published = await (
      await staffApi(legal)
    ).post('/api/legal/policy-versions', { version, summary, material: true, requiresConsent: true });
    expect(published.status).toBe(201);

    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await signInThroughPages(page, creator, '/privacy-center');
    // Any page that calls the API is refused until the new version is accepted.
    await page.waitForURL('**/policy?next=%2Fprivacy-center');
    await answerCookieBanner(page, 'essential');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Our privacy policy changed');
    expect(await page.getByTestId('policy-summary').textContent()).toBe(summary);
    await hydrated(page);

    // Accepting needs the box ticked; the problem is said next to it.
    await page
      .getByRole('button', { name: 'Accept and continue' })
      .evaluate((b: any) => b.form.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Accept and continue' }).click();
    await page.getByText('Tick the box to accept the policy').waitFor();
    await page.getByRole('checkbox', { name: new RegExp(`accept version ${version}`) }).check();
    await page.getByRole('button', { name: 'Accept and continue' }).click();
    await page.waitForURL((url) => url.pathname === '/privacy-center');
    expect(await page.getByTestId('accepted-version').textContent()).toContain(version);
    expect(await page.getByTestId('current-version').textContent()).toContain(version);
    await leave(visitor);
  });
});
