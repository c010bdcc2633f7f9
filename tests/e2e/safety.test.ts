// Trust and safety in a real browser (S-TAKEDOWN, S-BREACH, D-ADM): a signed-out visitor
// reports a creator's video through the public form, a legal user upholds the report on
// the legal dashboard, where every step shows with its time, and the creator answers; the legal user records a
// breach incident, sees the authority's 72-hour clock and the people found, and records the
// authority's notification; a creator whose request the automatic check refused asks for a
// person's review from the job page, and one whose uploaded image the classifier refused
// asks for it from the library.
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, GenerationJob, Incident } from '../../db/entities/index.ts';
import { INCIDENT_LIST_LIMIT } from '../../domain/incident.ts';
import { DAY } from '../../domain/time.ts';
import {
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  type Visitor,
} from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import { reloadUntil } from '../support/e2e-rights-request.ts';
import { answerCookieBanner, signInThroughPages } from '../support/e2e-studio.ts';

let browser: Browser;
let db: E2eDb;
let legal: Visitor;
let lawyerId: string;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
  const lawyer = await db.account({ name: 'Lena Legal', role: 'legal', mfa: true });
  lawyerId = lawyer.id;
  legal = await newVisitor(browser);
  await signInThroughPages(legal.page, lawyer);
  await answerCookieBanner(legal.page, 'essential');
});
afterAll(async () => {
  if (legal) await leave(legal);
  await browser?.close();
  await db?.close();
});

/** A job the prompt rules refused, as the generation workflow leaves it. */
async function refusedJob(userId: string): Promise<string> {
  const em = db.orm.em.fork();
  const job = em.create(GenerationJob, {
    user: userId,
    model: 'local-v1',
    provider: 'local',
    prompt: 'a deepfake of my neighbour giving a speech',
    parameters: { durationSeconds: 4, aspectRatio: '16:9', resolution: '720p' },
    status: 'rejected',
    creditsQuoted: 2,
    failureCode: 'moderation_refused',
    failureReason: 'Impersonation of a real person',
    moderationVerdict: 'block',
    moderationCategories: ['real_person_deepfake'],
    requestHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
  });
  await em.flush();
  return job.id;
}

/** An uploaded image the classifier refused, as the upload path leaves it (S-MOD). */
async function refusedUpload(userId: string): Promise<string> {
  const em = db.orm.em.fork();
  const id = randomUUID();
  const storedAt = new Date();
  em.create(Asset, {
    id,
    user: userId,
    kind: 'input',
    status: 'stored',
    objectKey: `users/${userId}/input/${id}.png`,
    contentType: 'image/png',
    sizeBytes: 2048,
    createdAt: storedAt,
    storedAt,
    deleteAt: new Date(storedAt.getTime() + 30 * DAY),
    moderation: 'refused',
  });
  await em.flush();
  return id;
}

/** Reloads the incidents page until the incident's affected count shows, and returns it. */
async function affectedCount(page: Visitor['page'], title: string): Promise<number> {
  const cell = page.locator(
    `[data-testid="incident"]:has(h3:text("${title}")) [data-testid="incident-affected"]`,
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    const shown = ((await cell.textContent()) ?? '').trim();
    if (/^\d+$/.test(shown)) return Number(shown);
    if (Date.now() > deadline) {
      const [row] = await db.orm.em
        .fork()
        .getConnection()
        .execute(`select status, affected_count from incidents where title = ?`, [title]);
      throw new Error(`affected people still "${shown}" (row: ${JSON.stringify(row)})`);
    }
    await page.waitForTimeout(1000);
    await page.reload();
  }
}

describe('trust and safety pages', () => {
  it('[S-TAKEDOWN] a visitor reports a video without signing in; the legal team upholds it and sees each step with its time', async () => {
    const creator = await db.account({ name: 'Cora Creator' });
    const jobId = await refusedJob(creator.id);
    const visitor = await newVisitor(browser);
    try {
      const { page } = visitor;
      await page.goto('/');
      await answerCookieBanner(page, 'essential');
      await page.getByRole('link', { name: 'Report content' }).click();
      await page.waitForURL('**/report');
      await hydrated(page);
      await page.getByText('A deepfake of a real person').click();
      await page.getByLabel('The content').fill(`${new URL(page.url()).origin}/jobs/${jobId}`);
      await page.getByLabel('Details').fill('This video shows me giving a speech I never gave.');
      await page.getByRole('button', { name: 'Send the report' }).click();
      await page.getByTestId('takedown-filed').waitFor();
      await screenshot(page, 'takedown-report');
    } finally {
      await leave(visitor);
    }

    const { page } = legal;
    await page.goto('/staff/legal');
    await page.getByRole('link', { name: 'Take-downs' }).click();
    await page.waitForURL('**/staff/legal/takedowns');
    const card = page.locator(`[data-testid="takedown"]:has(code:text("${jobId}"))`);
    await card.waitFor();
    expect(await card.getAttribute('data-status')).toBe('awaiting_decision');
    expect(await card.textContent()).toContain('a visitor');
    await screenshot(page, 'legal-takedowns');
    await hydrated(page);
    await card.getByLabel('Reason').fill('The person shown did not consent.');
    await card.getByRole('button', { name: 'Uphold and remove' }).click();
    await page.getByTestId('takedown-done').waitFor();
    await reloadUntil(
      page,
      `[data-testid="takedown"][data-status="awaiting_answer"]:has(code:text("${jobId}"))`,
    );
    const decided = page.locator(`[data-testid="takedown"]:has(code:text("${jobId}"))`);
    expect(await decided.textContent()).toContain('The person shown did not consent.');
    expect(await decided.textContent()).toMatch(/Creator told.*\d/s);
    await screenshot(page, 'legal-takedown-upheld');

    // The creator, from the link in the email that told them, reads why and answers.
    const takedownId = await decided.getAttribute('data-takedown');
    const owner = await newVisitor(browser);
    try {
      await signInThroughPages(owner.page, creator, `/takedowns/${takedownId}`);
      await answerCookieBanner(owner.page, 'essential');
      await hydrated(owner.page);
      expect(await owner.page.getByTestId('takedown-notice').textContent()).toContain(
        'The person shown did not consent.',
      );
      await owner.page.getByLabel('Your answer').fill('The person shown is me, and I made it.');
      await owner.page.getByRole('button', { name: 'Send my answer' }).click();
      await owner.page.getByTestId('takedown-answered').waitFor();
      await screenshot(owner.page, 'takedown-answered');
    } finally {
      await leave(owner);
    }
  });

  it('[S-BREACH] the legal team records an incident and sees the 72-hour clock, the people found and the notification', async () => {
    await db.account({ name: 'Ada Affected' });
    const { page } = legal;
    await page.goto('/staff/legal/incidents');
    await hydrated(page);
    const title = `Exposed log file ${randomUUID().slice(0, 6)}`;
    const found = new Date(Date.now() - 2 * 3600_000);
    const local = (d: Date) => d.toISOString().slice(0, 16);
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('What happened').fill('A log file with email addresses was readable by anyone.');
    await page
      .getByLabel('What was done, and what people can do')
      .fill('We removed the file and rotated the keys. No action is needed.');
    await page.getByText('account details (name, email address, date of birth)').click();
    await page.getByLabel('Found at (UTC)').fill(local(found));
    await page.getByLabel('Window start (UTC)').fill(local(new Date(found.getTime() - 86_400_000)));
    // Still open when recorded: the window runs to now (the form takes whole minutes).
    await page.getByLabel('Window end (UTC)').fill(local(new Date(Date.now() + 60_000)));
    await page.getByRole('button', { name: 'Record the incident' }).click();
    await page.getByTestId('incident-done').waitFor();

    const card = page.locator(`[data-testid="incident"]:has(h3:text("${title}"))`);
    await card.waitFor();
    expect(await card.getAttribute('data-authority')).toBe('due');
    // Found two hours ago: about 70 hours are left.
    expect(await card.getByTestId('incident-deadline').textContent()).toMatch(/within 2 days 2[12] hours/);
    // The workflow finds the affected people from the data: the count replaces "being found".
    const affected = await affectedCount(page, title);
    expect(affected).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'legal-incidents');

    await hydrated(page);
    const fresh = page.locator(`[data-testid="incident"]:has(h3:text("${title}"))`);
    await fresh.getByLabel("The authority's reference").fill('DPA-2026-0042');
    await fresh.getByRole('button', { name: 'Record the notification' }).click();
    await page.getByTestId('incident-done').waitFor();
    await reloadUntil(page, `[data-testid="incident"][data-authority="notified"]:has(h3:text("${title}"))`);
    expect(await page.locator(`[data-testid="incident"]:has(h3:text("${title}"))`).textContent()).toContain(
      'DPA-2026-0042',
    );
  });

  it('[S-BREACH] the legal team pages to older incidents and back', async () => {
    const { page } = legal;
    // More incidents than a page shows, recorded before any other of this file's.
    const before = new Date(Date.now() - 30 * DAY);
    await db.orm.em.fork().insertMany(
      Incident,
      Array.from({ length: INCIDENT_LIST_LIMIT }, (_, i) => {
        const recordedAt = new Date(before.getTime() - i * 60_000);
        return {
          id: randomUUID(),
          title: `Earlier incident ${i}`,
          description: 'A log file was readable by anyone.',
          measures: 'We removed the file.',
          categories: ['account' as const],
          discoveredAt: recordedAt,
          windowStart: recordedAt,
          windowEnd: recordedAt,
          recordedBy: lawyerId,
          recordedAt,
          deadlineAt: recordedAt,
        };
      }),
    );
    await page.goto('/staff/legal/incidents');
    const incidents = page.getByTestId('incident');
    expect(await incidents.count()).toBe(INCIDENT_LIST_LIMIT);
    expect(await page.getByRole('link', { name: 'Newest incidents' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Older incidents' }).click();
    await page.waitForURL('**/staff/legal/incidents?cursor=*');
    await incidents.filter({ hasText: `Earlier incident ${INCIDENT_LIST_LIMIT - 1}` }).waitFor();
    expect(await incidents.filter({ hasText: 'Earlier incident 0' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Newest incidents' }).click();
    await incidents.filter({ hasText: 'Earlier incident 0' }).waitFor();
  });

  it("[D-ADM] a creator refused by the automatic check asks for a person's review from the job page", async () => {
    const creator = await db.account({ name: 'Rory Refused', credits: 50 });
    const jobId = await refusedJob(creator.id);
    const visitor = await newVisitor(browser);
    try {
      const { page } = visitor;
      await signInThroughPages(page, creator, `/jobs/${jobId}`);
      await answerCookieBanner(page, 'essential');
      await hydrated(page);
      await page.getByRole('heading', { name: 'Ask a person to look at it' }).waitFor();
      await screenshot(page, 'job-review-request');
      await page.getByLabel('Why the refusal is wrong (optional)').fill('My neighbour agreed; it is a joke.');
      await page.getByRole('button', { name: 'Ask for a review' }).click();
      const status = page.getByTestId('review-status');
      await status.waitFor();
      expect(await status.getAttribute('data-status')).toBe('pending');
      expect(await status.textContent()).toContain('2 credits');
      await screenshot(page, 'job-review-requested');
    } finally {
      await leave(visitor);
    }
  });

  it("[D-ADM] a creator whose uploaded image the classifier refused asks for a person's review from the library", async () => {
    const creator = await db.account({ name: 'Ula Upload', credits: 10 });
    const assetId = await refusedUpload(creator.id);
    const visitor = await newVisitor(browser);
    try {
      const { page } = visitor;
      await signInThroughPages(page, creator, '/library');
      await answerCookieBanner(page, 'essential');
      await hydrated(page);
      const item = page.locator(`[data-testid="library-item"][data-asset="${assetId}"]`);
      const moderation = item.getByTestId('upload-moderation');
      expect(await moderation.getAttribute('data-status')).toBe('refused');
      expect(await moderation.textContent()).toContain('Refused by our automated check');
      // Not handed out while refused (S-MOD).
      expect(await item.getByRole('link', { name: 'Download' }).count()).toBe(0);
      await screenshot(page, 'upload-review-request');
      await item.getByLabel('Why the refusal is wrong (optional)').fill('It is a classical painting.');
      await item.getByRole('button', { name: 'Ask a person to review it' }).click();
      const review = item.getByTestId('upload-review');
      await review.waitFor();
      expect(await review.getAttribute('data-status')).toBe('pending');
      // It is in the staff queue, with the creator's words.
      const [queued] = await db.orm.em
        .fork()
        .getConnection()
        .execute<{ kind: string; note: string }[]>(
          `select kind, note from moderation_reviews where asset_id = ? and subject = 'upload'`,
          [assetId],
        );
      expect(queued).toEqual({ kind: 'requested', note: 'It is a classical painting.' });
      await screenshot(page, 'upload-review-requested');
    } finally {
      await leave(visitor);
    }
  });
});
