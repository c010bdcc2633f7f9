// Steps the privacy center's and the legal dashboard's browser tests share: the emailed
// confirmation codes and links (read from MailDev, as a person reads their inbox), a
// staff member's API session through the site (for what has no page, like publishing a
// policy version), and rights requests put straight into the database with a chosen
// deadline (the legal list's colours and order need overdue and nearly-due ones).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { inject } from 'vitest';
import { RightsRequest } from '../../db/entities/index.ts';
import { initialSteps, type Jurisdiction, type RequestType } from '../../domain/rights-request.ts';
import { DAY } from '../../domain/time.ts';
import { TEST_PASSWORD, totp } from './accounts.ts';
import { TestClient } from './client.ts';
import type { E2eDb } from './e2e-db.ts';
import { mailsTo, type CaughtMail } from './mail.ts';

export const CODE_SUBJECT = /confirm your privacy request/i;

/** How many mails to an address match a subject now (to wait for the next one). */
export async function mailCount(address: string, subject: RegExp): Promise<number> {
  return (await mailsTo(address)).filter((m) => subject.test(m.subject)).length;
}

/** Waits for the mail after the first `seen` ones matching the subject. */
export async function nextMail(
  address: string,
  subject: RegExp,
  seen = 0,
  timeoutMs = 20_000,
): Promise<CaughtMail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await mailsTo(address)).filter((m) => subject.test(m.subject));
    if (found.length > seen) return found.at(-1)!;
    await sleep(150);
  }
  throw new Error(`no new mail to ${address} matching ${subject}`);
}

/** The 6-digit code of a verification mail (it stands alone on its line). */
export function codeFrom(mail: CaughtMail): string {
  const match = /^\s*(\d{6})\s*$/m.exec(mail.text);
  if (!match) throw new Error(`no code in "${mail.subject}"`);
  return match[1]!;
}

/** Every http(s) link of a mail. */
export const linksIn = (mail: CaughtMail): string[] => mail.text.match(/https?:\/\/\S+/g) ?? [];

/** A staff member signed in to the API (past two-factor), for what has no page yet. */
export async function staffApi(account: { email: string; mfaSeed?: string }): Promise<TestClient> {
  const client = new TestClient(inject('apiUrl'));
  await client.refreshCsrf();
  const signIn = await client.post('/api/auth/sign-in', { email: account.email, password: TEST_PASSWORD });
  if (signIn.status !== 200) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
  client.csrfToken = ((await signIn.json()) as { csrfToken: string }).csrfToken;
  if (account.mfaSeed) {
    const mfa = await client.post('/api/auth/mfa/verify', { code: await totp(account.mfaSeed) });
    if (mfa.status !== 200) throw new Error(`mfa failed: ${mfa.status} ${await mfa.text()}`);
    client.csrfToken = ((await mfa.json()) as { csrfToken: string }).csrfToken;
  }
  return client;
}

/**
 * A verified rights request with its deadline `daysLeft` days away (negative: overdue),
 * as the statutory clock would have left it; no workflow runs for it.
 */
export async function seedVerifiedRequest(
  db: E2eDb,
  options: { userId: string; type: RequestType; jurisdiction: Jurisdiction; daysLeft: number },
): Promise<string> {
  const em = db.orm.em.fork();
  const now = Date.now();
  // Half a day more than the whole days asked for, so "days left" reads exactly that many.
  const dueAt = new Date(now + options.daysLeft * DAY + DAY / 2);
  const request = em.create(RightsRequest, {
    user: options.userId,
    type: options.type,
    jurisdiction: options.jurisdiction,
    status: 'verified',
    origin: 'user',
    createdAt: new Date(now - 5 * DAY),
    verifiedAt: new Date(now - 5 * DAY),
    dueAt,
    details: {},
    steps: initialSteps(options.type, true),
    verificationAttempts: 0,
  });
  await em.flush();
  return request.id;
}

/** Reloads a page until a locator appears (for changes a page does not follow by itself). */
export async function reloadUntil(
  page: Page,
  selector: string,
  timeoutMs = 30_000,
  intervalMs = 1000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.locator(selector).count()) > 0) return;
    if (Date.now() > deadline) throw new Error(`${selector} did not appear on ${page.url()}`);
    await sleep(intervalMs);
    await page.reload();
  }
}
