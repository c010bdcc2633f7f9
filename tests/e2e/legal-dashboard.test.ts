// The legal team's dashboard in a real browser (D-CLOCK, R-HOLD, R-PROOF, S-MFA): a legal
// user, signed in with a two-factor code, sees the rights requests fewest days left first,
// a page at a time, overdue ones red and nearly-due ones amber; extends one deadline with
// a reason (offered only where the law allows it), which the person is emailed, and
// downloads its audit events; places a legal hold on a creator whose account deletion
// then shows as paused on both sides, and releases it, after which the deletion finishes
// with its certificate.
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEGAL_REQUEST_LIST_LIMIT } from '../../domain/rights-request.ts';
import { addCalendarMonths, daysLeft } from '../../domain/rights-request-clock.ts';
import { RightsRequest } from '../../db/entities/index.ts';
import {
  documentWidth,
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  type Visitor,
} from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import {
  CODE_SUBJECT,
  codeFrom,
  nextMail,
  reloadUntil,
  seedVerifiedRequest,
} from '../support/e2e-rights-request.ts';
import { answerCookieBanner, signInThroughPages } from '../support/e2e-studio.ts';

// Run inside the page (page.evaluate); the repository's type check has no DOM library.
declare const document: any;
declare const getComputedStyle: any;

let browser: Browser;
let db: E2eDb;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

describe('the legal dashboard', () => {
  let legal: Visitor;
  const seeded: Record<'overdue' | 'soon' | 'later', string> = { overdue: '', soon: '', later: '' };
  let laterOwner: { email: string };

  beforeAll(async () => {
    const [lawyer, a, b, c] = await Promise.all([
      db.account({ name: 'Lou Legal', role: 'legal', mfa: true }),
      db.account({ name: 'Olive Overdue' }),
      db.account({ name: 'Sid Soon' }),
      db.account({ name: 'Lars Later' }),
    ]);
    laterOwner = c;
    seeded.overdue = await seedVerifiedRequest(db, {
      userId: a.id,
      type: 'access',
      jurisdiction: 'GDPR',
      daysLeft: -2,
    });
    seeded.soon = await seedVerifiedRequest(db, {
      userId: b.id,
      type: 'rectification',
      jurisdiction: 'CCPA',
      daysLeft: 3,
    });
    seeded.later = await seedVerifiedRequest(db, {
      userId: c.id,
      type: 'portability',
      jurisdiction: 'GDPR',
      daysLeft: 20,
    });
    legal = await newVisitor(browser);
    await signInThroughPages(legal.page, lawyer);
    await answerCookieBanner(legal.page, 'essential');
  });
  afterAll(async () => {
    if (legal) await leave(legal);
  });

  it('[D-CLOCK] lists requests fewest days left first, overdue red and nearly due amber', async () => {
    const { page } = legal;
    await page.goto('/staff');
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Legal' }).click();
    await page.waitForURL('**/staff/legal');
    const rows = page.getByTestId('legal-request');
    await rows.first().waitFor();
    const order = await rows.evaluateAll((trs: any[]) => trs.map((tr) => tr.dataset.request as string));
    const at = (id: string) => order.indexOf(id);
    expect(at(seeded.overdue)).toBeGreaterThanOrEqual(0);
    expect(at(seeded.overdue)).toBeLessThan(at(seeded.soon));
    expect(at(seeded.soon)).toBeLessThan(at(seeded.later));

    const row = (id: string) => page.locator(`[data-testid="legal-request"][data-request="${id}"]`);
    expect(await row(seeded.overdue).getAttribute('data-urgency')).toBe('overdue');
    expect(await row(seeded.soon).getAttribute('data-urgency')).toBe('soon');
    expect(await row(seeded.later).getAttribute('data-urgency')).toBe('ok');
    const [overdue, soon] = (await page.getByTestId('urgency-summary').textContent())!
      .match(/^(\d+) overdue, (\d+) due soon$/)!
      .slice(1)
      .map(Number);
    expect(overdue).toBeGreaterThanOrEqual(1);
    expect(soon).toBeGreaterThanOrEqual(1);
    expect(await row(seeded.overdue).locator('td').first().textContent()).toContain('2 days overdue');
    expect(await row(seeded.soon).locator('td').first().textContent()).toContain('due in 3 days');
    expect(await row(seeded.later).locator('td').first().textContent()).toContain('due in 20 days');
    // Red and amber are the theme's danger and warning colours (and said in words for screen readers).
    const colour = (id: string) =>
      row(id)
        .locator('td.due a')
        .evaluate((a: any) => getComputedStyle(a).color);
    const [danger, warning] = await page.evaluate(() => {
      const css = getComputedStyle(document.documentElement);
      const probe = document.createElement('span');
      document.body.append(probe);
      probe.style.color = css.getPropertyValue('--danger');
      const d = getComputedStyle(probe).color;
      probe.style.color = css.getPropertyValue('--warning');
      const w = getComputedStyle(probe).color;
      probe.remove();
      return [d, w];
    });
    expect(await colour(seeded.overdue)).toBe(danger);
    expect(await colour(seeded.soon)).toBe(warning);
    expect(await row(seeded.soon).locator('td').nth(2).textContent()).toContain('CCPA');
    await screenshot(page, 'legal-dashboard');

    // At phone width each request is a block of its own: nothing scrolls sideways.
    const phone = await newVisitor(browser, {
      width: 375,
      height: 812,
      storageState: await legal.context.storageState(),
    });
    await phone.page.goto('/staff/legal');
    const { scrollWidth, viewport } = await documentWidth(phone.page);
    expect(scrollWidth).toBeLessThanOrEqual(viewport);
    await leave(phone);
  });

  it('[D-CLOCK] shows the requests a page at a time: more days left on the next page, the filter kept, and back to the fewest', async () => {
    const person = await db.account({ name: 'Pat Paged' });
    const ids: string[] = [];
    // One more than a page, all further off than any other request of the type.
    for (let i = 0; i <= LEGAL_REQUEST_LIST_LIMIT; i++) {
      ids.push(
        await seedVerifiedRequest(db, {
          userId: person.id,
          type: 'objection',
          jurisdiction: 'GDPR',
          daysLeft: 300 + i,
        }),
      );
    }
    const [nearest, furthest] = [ids[0]!, ids.at(-1)!];
    const { page } = legal;
    const shown = () =>
      page
        .getByTestId('legal-request')
        .evaluateAll((trs: any[]) => trs.map((tr) => tr.dataset.request as string));
    await page.goto('/staff/legal?status=open&type=objection');
    await page.getByTestId('legal-request').first().waitFor();
    const first = await shown();
    expect(first).toHaveLength(LEGAL_REQUEST_LIST_LIMIT);
    expect(first).toContain(nearest);
    expect(first).not.toContain(furthest);
    // The summary counts every request the filter matches, not only this page's.
    expect(await page.getByTestId('urgency-summary').textContent()).toBe('0 overdue, 0 due soon');

    await page.getByRole('link', { name: 'More days left' }).click();
    await page.waitForURL(/cursor=/);
    const url = new URL(page.url());
    expect(url.searchParams.get('type')).toBe('objection');
    expect(url.searchParams.get('status')).toBe('open');
    await page.locator(`[data-request="${furthest}"]`).waitFor();
    expect((await shown()).filter((id) => first.includes(id))).toEqual([]);

    await page.getByRole('link', { name: 'Fewest days left' }).click();
    await page.waitForURL((u) => !u.searchParams.has('cursor'));
    await page.locator(`[data-request="${nearest}"]`).waitFor();
  });

  it('[D-CLOCK] extends a deadline once, only where allowed, with a reason the person is emailed; the audit exports as JSON', async () => {
    const { page } = legal;
    // Past its original deadline, a request can no longer be extended: no form is offered.
    await page.goto(`/staff/legal/requests/${seeded.overdue}`);
    expect(await page.getByTestId('no-extension').textContent()).toContain('original period has ended');
    expect(await page.getByRole('button', { name: 'Extend the deadline' }).count()).toBe(0);

    // The request's page fits a phone.
    const phone = await newVisitor(browser, {
      width: 375,
      height: 812,
      storageState: await legal.context.storageState(),
    });
    await phone.page.goto(`/staff/legal/requests/${seeded.later}`);
    const { scrollWidth, viewport } = await documentWidth(phone.page);
    expect(scrollWidth).toBeLessThanOrEqual(viewport);
    await leave(phone);

    await page.goto(`/staff/legal/requests/${seeded.later}`);
    await hydrated(page);
    const original = (await db.orm.em.fork().findOneOrFail(RightsRequest, { id: seeded.later })).dueAt!;
    await page.getByLabel('Extend by').selectOption('1');
    const reason = 'The archive includes many videos and a question to the provider is pending.';
    await page.getByLabel('Reason (sent to the person)').fill(reason);
    await page.getByRole('button', { name: 'Extend the deadline' }).click();
    await page.getByTestId('extended-done').waitFor();
    expect(await page.getByTestId('legal-extended').textContent()).toContain(reason);
    // Once only: the form is gone, and says why.
    expect(await page.getByTestId('no-extension').textContent()).toContain('already extended');
    const expectedDays = daysLeft(addCalendarMonths(original, 1), new Date());
    expect(await page.getByTestId('legal-due').textContent()).toContain(`due in ${expectedDays} days`);
    await screenshot(page, 'legal-request');

    // The person is told, with the reason, at once.
    const notice = await nextMail(laterOwner.email, /need more time/i);
    expect(notice.text).toContain(reason);
    expect(notice.text).toContain(addCalendarMonths(original, 1).toISOString().slice(0, 10));

    // The request's audit events download as a JSON file, the extension among them.
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('audit-export').click(),
    ]);
    expect(file.suggestedFilename()).toBe(`request-${seeded.later}-audit.json`);
    const audit = JSON.parse(await readFile((await file.path())!, 'utf8')) as {
      requestId: string;
      events: { action: string; details: { to?: string } }[];
    };
    expect(audit.requestId).toBe(seeded.later);
    const extended = audit.events.find((e) => e.action === 'privacy.deadline_extended');
    expect(extended?.details.to).toBe(addCalendarMonths(original, 1).toISOString());
    expect(audit.events.some((e) => e.action === 'staff.viewed_privacy_request')).toBe(true);
  });

  it('[R-HOLD] [D-ERASE] a hold on a creator pauses their account deletion on both sides; released, it finishes', async () => {
    const creator = await db.account({ name: 'Hal Held' });
    const owner = await newVisitor(browser);
    await signInThroughPages(owner.page, creator, '/privacy-center/delete');
    await answerCookieBanner(owner.page, 'essential');
    await owner.page.getByRole('radio', { name: /^European Union, EEA or United Kingdom/ }).check();
    await owner.page.getByLabel('Type your email address to confirm').fill(creator.email);
    await owner.page.getByRole('button', { name: 'Delete my account' }).click();
    await owner.page.waitForURL(/\/privacy\/requests\/[0-9a-f-]{36}\?made=1$/);
    const requestId = new URL(owner.page.url()).pathname.split('/').at(-1)!;

    // The legal team finds it among the deletions and holds the person.
    const { page } = legal;
    await page.goto('/staff/legal?status=open&type=deletion');
    await page.locator(`[data-testid="legal-request"][data-request="${requestId}"] a`).click();
    await page.waitForURL(`**/staff/legal/requests/${requestId}`);
    await hydrated(page);
    expect(await page.getByTestId('legal-user').textContent()).toBe(creator.id);
    await page.getByLabel('Place a hold: why').fill('Preservation order in case 2026-041, court of Ghent.');
    await page.getByRole('button', { name: 'Place a legal hold' }).click();
    await page.getByTestId('hold').waitFor();

    // The creator confirms: the deletion waits, visibly, and nothing signs them out.
    const code = codeFrom(await nextMail(creator.email, CODE_SUBJECT));
    await hydrated(owner.page);
    await owner.page.getByLabel('6-digit code').fill(code);
    await owner.page.getByRole('button', { name: 'Confirm' }).click();
    await owner.page.getByTestId('paused').waitFor({ timeout: 30_000 });
    expect(await owner.page.getByTestId('request-status').getAttribute('data-status')).toBe('paused');
    expect(await owner.page.getByTestId('paused').textContent()).toContain('legal hold');

    await reloadUntil(page, '[data-testid="legal-status"][data-status="paused"]');
    expect(await page.getByTestId('legal-paused').count()).toBe(1);
    await screenshot(page, 'legal-request-paused');
    await page.goto('/staff/legal?status=paused&type=deletion');
    expect(
      await page.locator(`[data-testid="legal-request"][data-request="${requestId}"]`).textContent(),
    ).toContain('legal hold');

    // Released with a reason: the deletion goes on by itself and signs the creator out.
    await page.goto(`/staff/legal/requests/${requestId}`);
    await hydrated(page);
    await page.getByTestId('hold').getByLabel('Why release it').fill('The court lifted the order on appeal.');
    await page.getByRole('button', { name: 'Release the hold' }).click();
    await page.getByTestId('released').waitFor();
    await owner.page.waitForURL(`**/privacy/requests/${requestId}/certificate`, { timeout: 60_000 });
    await owner.page.getByTestId('deletion-signed-out').waitFor();
    await leave(owner);

    await reloadUntil(page, '[data-testid="legal-status"][data-status="completed"]', 60_000);
    await page.getByTestId('legal-certificate').click();
    await page.getByTestId('certificate').waitFor();
    expect(await page.getByTestId('certificate-kept').textContent()).toContain('R-PAY-7Y');

    // The certificates list has it, and the holds page keeps the released hold with its reasons.
    await page
      .getByRole('navigation', { name: 'Legal team' })
      .getByRole('link', { name: 'Certificates' })
      .click();
    await page.locator(`[data-testid="certificate-row"][data-request="${requestId}"]`).waitFor();
    // The account is gone: the hold names the person by their pseudonym, no longer by the id.
    const { pseudonym } = (
      await db.orm.em
        .fork()
        .getConnection()
        .execute<{ pseudonym: string }[]>(
          'select subject_pseudonym as pseudonym from legal_holds where reason = ?',
          ['Preservation order in case 2026-041, court of Ghent.'],
        )
    )[0]!;
    await page.goto('/staff/legal/holds?show=all');
    expect(await page.locator(`[data-testid="hold"][data-user="${creator.id}"]`).count()).toBe(0);
    const hold = page.locator(`[data-testid="hold"][data-pseudonym="${pseudonym}"]`);
    expect(await hold.textContent()).toContain('The court lifted the order on appeal.');
    expect(await hold.textContent()).toContain('Released');
  });
});
