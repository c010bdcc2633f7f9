// Support tickets in a real browser (R-SUPPORT-3Y): a creator opens a ticket from the
// support page; a support agent (two-factor) finds it in the staff queue, assigns it to
// themselves and replies, which is emailed to the creator and shown in the thread; the
// creator reads the reply and closes the ticket, which then says when it is deleted.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupportTicket } from '../../db/entities/index.ts';
import {
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  type Visitor,
} from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
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

describe('[R-SUPPORT-3Y] a ticket’s life, from the site', () => {
  let creator: Visitor;
  let support: Visitor;
  let ticketId: string;
  const subject = `My video stopped at 80% ${Date.now()}`;

  beforeAll(async () => {
    const [c, s] = await Promise.all([
      db.account({ name: 'Tess Ticket' }),
      db.account({ name: 'Sam Support', role: 'support', mfa: true }),
    ]);
    [creator, support] = await Promise.all([newVisitor(browser), newVisitor(browser)]);
    await signInThroughPages(creator.page, c);
    await answerCookieBanner(creator.page, 'essential');
    await signInThroughPages(support.page, s);
    await answerCookieBanner(support.page, 'essential');
  });
  afterAll(async () => {
    for (const v of [creator, support]) if (v) await leave(v);
  });

  it('a creator opens a ticket from the support page', async () => {
    const { page } = creator;
    await page.goto('/support');
    await hydrated(page);
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('Message').fill('The progress bar stopped at 80% and never finished.');
    await screenshot(page, 'support-open');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.waitForURL(/\/support\/[0-9a-f-]{36}\?opened=1/);
    ticketId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByTestId('opened').waitFor();
    expect(await page.locator('[data-testid="thread"] li').count()).toBe(1);
  });

  it('support finds it in the queue, assigns it and replies; the reply is emailed', async () => {
    const { page } = support;
    await page.goto('/staff/support');
    await hydrated(page);
    await page.locator(`[data-ticket="${ticketId}"]`).waitFor();
    await screenshot(page, 'support-queue');
    await page.locator(`[data-ticket="${ticketId}"] a`).click();
    await page.waitForURL(`**/staff/support/${ticketId}`);
    await hydrated(page);
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await expect.poll(() => page.getByTestId('assignee').textContent()).toContain('Sam Support');
    await page.getByLabel('Reply').fill('Thanks: we restarted it, and your credits were returned.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Sent, and emailed to the creator.').waitFor();
    await screenshot(page, 'support-reply');
    const ticket = await db.orm.em.fork().findOneOrFail(SupportTicket, { id: ticketId });
    expect(ticket.status).toBe('answered');
  });

  it('the creator reads the reply in the thread and closes the ticket, which says when it is deleted', async () => {
    const { page } = creator;
    await page.goto(`/support/${ticketId}`);
    await hydrated(page);
    await page.locator('[data-testid="thread"] [data-author="support"]').waitFor();
    await page.getByRole('button', { name: 'Close the ticket' }).click();
    await expect
      .poll(() => page.getByTestId('ticket-status').textContent())
      .toContain('3 years after closing');
    await screenshot(page, 'support-closed');
  });
});
