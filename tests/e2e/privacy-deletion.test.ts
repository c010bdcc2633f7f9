// Deleting an account from the privacy center in a real browser (D-ERASE, D-VERIFY,
// R-PROOF): the page says what is deleted, what is kept for 7 years and why, and what a
// legal hold does; the confirmation wants the account's email address typed (a wrong one
// is refused next to the field); the emailed code confirms it; the deletion signs the
// creator out on every device and the page moves on to its signed-out view; the last
// email's link opens the deletion certificate.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KEPT_AFTER_DELETION } from '../../domain/account-deletion.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { DAY } from '../../domain/time.ts';
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
import { CODE_SUBJECT, codeFrom, linksIn, nextMail } from '../support/e2e-rights-request.ts';
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

describe('deleting my account', () => {
  it('[D-ERASE] [D-VERIFY] [R-PROOF] is confirmed by typing the address and the emailed code, signs out, and ends with the certificate', async () => {
    const creator = await db.account({ name: 'Dana Delete' });
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await signInThroughPages(page, creator, '/privacy-center');
    await answerCookieBanner(page, 'essential');

    await page.getByRole('link', { name: 'Delete my account…' }).click();
    await page.waitForURL('**/privacy-center/delete');
    await hydrated(page);
    // What goes, what stays and why, and what a legal hold does, before anything is asked.
    expect(await page.getByTestId('deleted-list').textContent()).toContain(
      'Every upload and every generated video',
    );
    const kept = await page.getByTestId('kept-list').textContent();
    expect(kept).toContain(`${RETENTION_POLICY.paymentRecord.keepMs / (365 * DAY)} years`);
    expect(kept).toContain('tax law');
    expect(await page.getByRole('heading', { name: 'Legal holds' }).count()).toBe(1);
    expect(await page.getByText('You can cancel until it starts').count()).toBe(1);

    // The wrong address is refused next to the field, which takes the focus.
    await page.getByRole('radio', { name: /^Somewhere else, or not sure/ }).check();
    await page.getByLabel('Type your email address to confirm').fill('someone-else@example.test');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByText('That is not your email address.').waitFor();
    expect(await focusedName(page)).toBe('confirmation');
    await screenshot(page, 'delete-account');

    await page.getByLabel('Type your email address to confirm').fill(creator.email);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL(/\/privacy\/requests\/[0-9a-f-]{36}\?made=1$/);
    const requestId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Delete my account');
    // Until it starts, it can be cancelled.
    expect(await page.getByRole('button', { name: 'Cancel the deletion' }).count()).toBe(1);

    // The center knows a deletion is asked for, and leads to its page.
    const center = await newVisitor(browser, { storageState: await visitor.context.storageState() });
    await center.page.goto('/privacy-center');
    await center.page.getByRole('link', { name: 'Follow the deletion' }).click();
    await center.page.waitForURL(`**/privacy/requests/${requestId}`);
    // The request's page fits a phone too.
    const phone = await newVisitor(browser, {
      width: 375,
      height: 812,
      storageState: await visitor.context.storageState(),
    });
    await phone.page.goto(`/privacy/requests/${requestId}`);
    const { scrollWidth, viewport } = await documentWidth(phone.page);
    expect(scrollWidth).toBeLessThanOrEqual(viewport);
    await leave(phone);
    await leave(center);

    const code = codeFrom(await nextMail(creator.email, CODE_SUBJECT));
    await hydrated(page);
    await page.getByLabel('6-digit code').fill(code);
    await page.getByRole('button', { name: 'Confirm' }).click();

    // One of the first steps signs the creator out everywhere: the page moves on to the
    // deletion's signed-out view, and the header shows a signed-out visitor.
    await page
      .waitForURL(`**/privacy/requests/${requestId}/certificate`, { timeout: 60_000 })
      .catch(async (err: Error) => {
        // Which side stopped: the workflow (sessions still live) or the page (no move on a 401)?
        const em = db.orm.em.fork();
        const [row] = await em.execute(`select status, verified_at from rights_requests where id = ?`, [
          requestId,
        ]);
        const [live] = await em.execute<{ n: number }[]>(
          `select count(*)::int as n from sessions where user_id = ? and revoked_at is null`,
          [creator.id],
        );
        const shown = await page.getByTestId('request-status').getAttribute('data-status', { timeout: 1000 });
        throw new Error(
          `${err.message}\nrequest ${JSON.stringify(row)}, live sessions ${live?.n}, page shows ${shown}`,
        );
      });
    await page.getByTestId('deletion-signed-out').waitFor();
    expect(await page.getByRole('link', { name: 'Sign in' }).count()).toBe(1);
    await screenshot(page, 'delete-account-signed-out');
    await page.goto('/privacy-center');
    await page.waitForURL('**/sign-in?next=%2Fprivacy-center');

    // The last email links to the certificate (by a signed link: the account is gone).
    const last = await nextMail(creator.email, /account is deleted/i, 0, 60_000);
    const emailed = linksIn(last).find((l) => l.includes(`/privacy/requests/${requestId}/certificate`));
    expect(emailed).toBeDefined();
    const token = new URL(emailed!).searchParams.get('token')!;
    // The emailed link opens the site's certificate page.
    expect(new URL(emailed!).origin).toBe(new URL(inject('siteUrl')).origin);
    await page.goto(`/privacy/requests/${requestId}/certificate?token=${encodeURIComponent(token)}`);
    await page.getByTestId('certificate').waitFor({ timeout: 30_000 });
    // A signed-out browser whose choices were erased with the account is asked again.
    await answerCookieBanner(page, 'essential');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Deletion certificate');
    const hash = await page.getByTestId('certificate-hash').textContent();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.getByTestId('certificate-kept').textContent()).toContain('R-PAY-7Y');
    // Each record kept, with its reason and end date, naming the person by pseudonym only.
    const keptRecords = page.getByTestId('certificate-kept-records').getByRole('listitem');
    expect(await keptRecords.count()).toBe(KEPT_AFTER_DELETION.length);
    expect(await keptRecords.first().textContent()).toMatch(/audit_events.*kept until/s);
    await screenshot(page, 'deletion-certificate');

    // The API behind the page answers the same link with the same certificate.
    const res = await fetch(
      `${inject('siteUrl')}/api${new URL(emailed!).pathname}${new URL(emailed!).search}`,
      {
        headers: { 'x-forwarded-for': visitor.address, 'x-forwarded-proto': 'http' },
      },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { certificateHash: string }).certificateHash).toBe(hash);

    // A tampered link opens nothing.
    await page.goto(
      `/privacy/requests/${requestId}/certificate?token=${encodeURIComponent(`${token.slice(0, -2)}00`)}`,
    );
    await page.getByText('This link is invalid or has expired.').waitFor();
    await leave(visitor);
  });
});
