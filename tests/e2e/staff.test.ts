// The staff pages in a real browser (S-MOD, S-MFA, S-RBAC): a prompt the automatic
// check holds waits on its job page with an explanation; a support agent, signed in
// with a two-factor code, approves it from the review queue with a reason, and the
// creator's page goes on to the finished video; a held job's cancel kept while Temporal
// does not answer shows on its open page, and the job ends cancelled once told. An
// operator looks the job and its video up and gets the links into the Temporal UI, and
// runs an end-to-end diagnostic; an admin sends a marketing campaign and sees it sent
// (once, the form sent twice at once), and pages back to older campaigns.
// Staff pages stay closed to other roles and to staff without two-factor
// authentication. Each test signs in the people it needs and makes its own held or
// finished job, so it passes alone and in any order.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  skipBrowserValidation,
} from '../support/e2e-browser.ts';
import { MarketingCampaign } from '../../db/entities/index.ts';
import { CAMPAIGN_LIST_LIMIT } from '../../domain/announcement.ts';
import { cancelJob } from '../../use-cases/generation-cancel.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import {
  createVideo,
  finishedVideo,
  signedInVisitor,
  sweepUnstartedNow,
  withTemporalUnanswered,
} from '../support/e2e-fixtures.ts';
import { staffApi } from '../support/e2e-rights-request.ts';
import { signInThroughPages } from '../support/e2e-studio.ts';

let browser: Browser;
let db: E2eDb;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

const HELD_PROMPT = 'a famous singer performing on a rooftop at sunset';

/** Each test's own people, signed in on windows of their own (staff past two-factor). */
const signedInCreator = () => signedInVisitor(browser, db, { name: 'Cleo Creator', credits: 50 });
const signedInSupport = () =>
  signedInVisitor(browser, db, { name: 'Sam Support', role: 'support', mfa: true });
const signedInOperator = () =>
  signedInVisitor(browser, db, { name: 'Otto Operator', role: 'operator', mfa: true });

/** A job the automatic check holds for a person's review, its page open on the creator's window. */
async function heldJob(page: Page, prompt = HELD_PROMPT): Promise<string> {
  const jobId = await createVideo(page, { prompt });
  await page.locator('[data-testid="job-live"][data-status="awaiting_review"]').waitFor({ timeout: 30_000 });
  return jobId;
}

describe('[S-MOD] a held request, reviewed by a person', () => {
  it('holds a prompt about a famous singer, and says why on the job page', async () => {
    const { page } = await signedInCreator();
    await heldJob(page);
    expect(await page.getByTestId('review-reason').textContent()).toContain('real, identifiable people');
    expect(await page.getByText('Held for review').count()).toBe(1);
    await screenshot(page, 'job-held');
  });

  it('[S-MFA] the support agent approves it from the review queue, with a reason', async () => {
    const [creator, { page }] = await Promise.all([signedInCreator(), signedInSupport()]);
    const jobId = await heldJob(creator.page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Staff' }).click();
    await page.waitForURL('**/staff');
    await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Review queue' }).click();
    await page.waitForURL('**/staff/moderation');
    await hydrated(page);
    const held = page.locator(`[data-testid="held-job"][data-job="${jobId}"]`);
    expect(await held.locator('blockquote').textContent()).toBe(HELD_PROMPT);
    expect(await held.textContent()).toContain('A real, identifiable person');
    await screenshot(page, 'moderation-queue');

    // A decision needs a reason (the server says so too, when the browser's own check is skipped).
    await skipBrowserValidation(page);
    await held.getByLabel('Reason').fill('ok');
    await held.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Say why, in a few words').waitFor();
    await held.getByLabel('Reason').fill('A generic performer; no real person is named or shown.');
    await held.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('decided').waitFor();
    expect(await page.getByTestId('decided').textContent()).toBe('Approved. The video starts now.');
    expect(await held.count()).toBe(0);
  });

  it('the creator’s page, still open, goes on to the finished video', async () => {
    const [{ page }, reviewer] = await Promise.all([
      signedInCreator(),
      db.account({ role: 'support', mfa: true }),
    ]);
    const jobId = await heldJob(page);
    // A support agent approves it meanwhile (the review queue's own test is the one above).
    const agent = await staffApi(reviewer);
    const decided = await agent.post(`/api/moderation/jobs/${jobId}/decision`, {
      approve: true,
      reason: 'A generic performer; no real person is named or shown.',
    });
    expect(decided.status).toBe(200);
    await page.locator('[data-testid="job-live"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('video').waitFor();
  });

  it('a held request can be cancelled by its creator, who sees the final state and the credits returned', async () => {
    const { page } = await signedInCreator();
    await heldJob(page, 'a famous singer waving from a balcony');
    await page.getByRole('button', { name: 'Cancel this video' }).click();
    await page.locator('[data-testid="job-live"][data-status="cancelled"]').waitFor();
    expect(await page.getByTestId('cancel-result').textContent()).toContain('This job was cancelled.');
    expect(await page.getByTestId('credits-returned').innerText()).toBe(
      '2 credits were returned to your balance.',
    );
    expect(await page.getByTestId('failure').textContent()).toContain('Your credits were returned.');
  });

  it('a cancel kept while Temporal does not answer shows on the open page in place of the button, and the job ends cancelled once the sweep tells it', async () => {
    const { page, account } = await signedInCreator();
    const jobId = await heldJob(page, 'a famous singer bowing on an empty stage');
    // The platform's own cancel, given a Temporal that does not answer.
    const kept = await withTemporalUnanswered(db, (deps) =>
      cancelJob(deps, { id: account.id, role: 'creator' }, jobId),
    );
    expect(kept).toMatchObject({ status: 'awaiting_review', cancelRequestedAt: expect.any(String) });
    // The page, open all along, hears it.
    await page.getByTestId('cancel-requested').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel this video' }).count()).toBe(0);
    await screenshot(page, 'job-cancel-requested');

    // The sweep, run now rather than at its next minute, tells the job's workflow.
    await sweepUnstartedNow(db);
    await page.locator('[data-testid="job-live"][data-status="cancelled"]').waitFor({ timeout: 75_000 });
    expect(await page.getByTestId('credits-returned').innerText()).toBe(
      '2 credits were returned to your balance.',
    );
    expect(await page.getByTestId('cancel-requested').count()).toBe(0);
  });

  it('the operator looks up the job and its video, with links into the Temporal UI', async () => {
    const [creator, { page }] = await Promise.all([signedInCreator(), signedInOperator()]);
    const { jobId, outputId } = await finishedVideo(creator.page, {
      prompt: 'a paper lantern floating upward',
    });
    await page.goto('/staff/ops');
    await page.getByLabel('Id').fill(jobId);
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByTestId('ops-job').waitFor();
    const link = page.getByTestId('temporal-link');
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`/namespaces/default/workflows/generation-${jobId}$`),
    );
    await screenshot(page, 'ops');

    await page.getByTestId('ops-job').getByRole('link', { name: outputId }).click();
    await page.getByTestId('ops-asset').waitFor();
    expect(await page.getByTestId('temporal-link').getAttribute('href')).toMatch(
      new RegExp(`/workflows/retention-${outputId}$`),
    );
    expect(await page.getByTestId('ops-asset').textContent()).toContain('scheduled');
    await screenshot(page, 'ops-asset');
  });

  it('the operator runs an end-to-end diagnostic from the operations page and sees it pass', async () => {
    const { page } = await signedInOperator();
    await page.goto('/staff/ops');
    await page.getByRole('button', { name: 'Run a diagnostic' }).click();
    const run = page.getByTestId('diagnostic');
    await run.waitFor();
    // The check is a workflow: the page shows it running, and is looked at again until it ends.
    await expect
      .poll(
        async () => {
          await page.reload();
          return run.getAttribute('data-status');
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('passed');
    expect(await run.getByRole('link', { name: /Temporal UI/ }).getAttribute('href')).toMatch(
      /\/workflows\/diagnostic-[0-9a-f-]{36}$/,
    );
  });

  it('[S-RBAC] keeps each staff page to its roles', async () => {
    const [creator, support, operator] = await Promise.all([
      signedInCreator(),
      signedInSupport(),
      signedInOperator(),
    ]);
    // The operator has no review queue; the support agent no operations; the creator no staff area.
    await operator.page.goto('/staff/moderation');
    expect(await operator.page.getByRole('heading', { level: 1 }).textContent()).toBe('That did not work');
    await support.page.goto('/staff/ops');
    await support.page.getByText('Operations are for operators.').waitFor();
    await operator.page.goto('/staff/marketing');
    await operator.page.getByText('Marketing is for admins.').waitFor();
    await creator.page.goto('/staff');
    await creator.page.getByText('This area is for Clipwise staff.').waitFor();
    expect(
      await creator.page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Staff' })
        .count(),
    ).toBe(0);
  });
});

describe('[D-CONSENT] marketing, sent by an admin', () => {
  it('sends a campaign from the marketing page and sees it listed as sent, with how many emails went', async () => {
    const [optedIn, admin] = await Promise.all([
      signedInCreator(),
      signedInVisitor(browser, db, { name: 'Ada Admin', role: 'admin', mfa: true }),
    ]);
    const api = await staffApi(optedIn.account);
    expect((await api.put('/api/consents', { marketingEmail: true, source: 'settings' })).status).toBe(200);
    const { page } = admin;
    await page.goto('/staff');
    await page.getByRole('link', { name: 'Marketing' }).first().click();
    await page.waitForURL('**/staff/marketing');
    await hydrated(page);
    const subject = `Winter voices ${Date.now()}`;
    const form = page.getByTestId('send-campaign');
    await form.getByLabel('Subject', { exact: true }).fill(subject);
    await form.getByLabel('Text', { exact: true }).fill('Three new voices are ready to try.');
    await form.getByRole('button', { name: 'Send to everyone who opted in' }).click();
    expect(await page.getByTestId('campaign-done').textContent()).toContain(
      'Sending to everyone who opted in.',
    );
    const row = page.getByTestId('campaigns').locator('tr', { hasText: subject });
    // Sent in the background: the page, looked at again, reads its end from the database.
    await expect
      .poll(
        async () => {
          await page.reload();
          return row.getAttribute('data-state');
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('sent');
    expect(await row.textContent()).toMatch(/Sent: [1-9]\d* emails?/);
    await screenshot(page, 'marketing');
  });

  it('makes one campaign of a form sent twice at once, and pages to older campaigns', async () => {
    const { page, account } = await signedInVisitor(browser, db, {
      name: 'Ada Admin',
      role: 'admin',
      mfa: true,
    });
    // More campaigns than a page shows, sent before this one.
    const before = new Date(Date.now() - 60_000);
    await db.orm.em.fork().insertMany(
      MarketingCampaign,
      Array.from({ length: CAMPAIGN_LIST_LIMIT }, (_, i) => ({
        id: randomUUID(),
        sentBy: account.id,
        subject: `Earlier news ${i}`,
        body: 'Older news for everyone who opted in.',
        createdAt: new Date(before.getTime() - i * 1000),
        finishedAt: before,
        sent: 0,
      })),
    );
    await page.goto('/staff/marketing');
    await hydrated(page);
    const subject = `Twice sent ${Date.now()}`;
    const form = page.getByTestId('send-campaign');
    await form.getByLabel('Subject', { exact: true }).fill(subject);
    await form.getByLabel('Text', { exact: true }).fill('Sent once, whatever the button saw.');
    // Both posts reach the site, as a double click or a resend would make them.
    const posts: Promise<number>[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().includes('/staff/marketing?/send')) {
        posts.push(request.response().then((response) => response?.status() ?? 0));
      }
    });
    await form.evaluate((element: { requestSubmit(): void }) => {
      element.requestSubmit();
      element.requestSubmit();
    });
    await expect.poll(() => posts.length).toBe(2);
    expect(await Promise.all(posts)).toEqual([200, 200]);
    expect(await db.orm.em.fork().count(MarketingCampaign, { subject })).toBe(1);

    await page.goto('/staff/marketing');
    const campaigns = page.getByTestId('campaigns');
    expect(await campaigns.locator('tr', { hasText: subject }).count()).toBe(1);
    expect(await campaigns.locator('tbody tr').count()).toBe(CAMPAIGN_LIST_LIMIT);
    await page.getByRole('link', { name: 'Older campaigns' }).click();
    await page.waitForURL('**/staff/marketing?cursor=*');
    await campaigns.locator('tr', { hasText: 'Earlier news 19' }).waitFor();
    expect(await campaigns.locator('tr', { hasText: subject }).count()).toBe(0);
    await page.getByRole('link', { name: 'Newest campaigns' }).click();
    await campaigns.locator('tr', { hasText: subject }).waitFor();
  });
});

describe('[S-MFA] staff without two-factor authentication', () => {
  it('are sent to set it up before any staff page opens', async () => {
    const account = await db.account({ name: 'Nina Nofactor', role: 'support' });
    const visitor = await newVisitor(browser);
    await signInThroughPages(visitor.page, account);
    await visitor.page.goto('/staff/moderation');
    await visitor.page.getByText('Staff access needs two-factor authentication').waitFor();
    expect(await visitor.page.getByTestId('review-queue').count()).toBe(0);
    await leave(visitor);
  });
});
