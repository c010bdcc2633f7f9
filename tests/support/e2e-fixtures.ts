// Per-test fixtures for the browser tests, so that each test stands alone and passes in
// any order: a window that closes when its test ends, a person with an account of their
// own signed in on such a window, and videos that person makes on the create page
// (one just asked for, or one already finished); and the platform's own use cases run
// with a Temporal that does not answer, then its unstarted sweep run at once.
import type { Browser, Page } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { GENERATION_SCHEDULE_IDS } from '../../domain/generation.ts';
import { createLogger } from '../../platform/logger.ts';
import { createTemporalClient } from '../../platform/temporal.ts';
import { freePort } from '../../scripts/stack/process.ts';
import type { UseCaseDeps } from '../../use-cases/deps.ts';
import { hydrated, leave, newVisitor, type Visitor } from './e2e-browser.ts';
import type { E2eDb } from './e2e-db.ts';
import { answerCookieBanner, signInThroughPages } from './e2e-studio.ts';

export type E2eAccount = Awaited<ReturnType<E2eDb['account']>>;

/**
 * A new person at the keyboard for the running test only: their window closes when the
 * test ends, and the test fails if any of its pages broke along the way (see `leave`).
 */
export async function visitorForTest(
  browser: Browser,
  options: Parameters<typeof newVisitor>[1] = {},
): Promise<Visitor> {
  const visitor = await newVisitor(browser, options);
  onTestFinished(() => leave(visitor));
  return visitor;
}

/**
 * An account of the test's own (verified, made in the database), signed in through the
 * sign-in page on a window of its own, the cookie banner answered unless told not to.
 */
export async function signedInVisitor(
  browser: Browser,
  db: E2eDb,
  account: Parameters<E2eDb['account']>[0] = {},
  options: Parameters<typeof newVisitor>[1] & { cookies?: 'essential' | 'analytics' | null } = {},
): Promise<Visitor & { account: E2eAccount }> {
  const { cookies = 'essential', ...window } = options;
  const [made, visitor] = await Promise.all([db.account(account), visitorForTest(browser, window)]);
  await signInThroughPages(visitor.page, made);
  if (cookies) await answerCookieBanner(visitor.page, cookies);
  return { ...visitor, account: made };
}

export interface VideoRequest {
  prompt: string;
  /** Picked on the page when given; otherwise the creator's default model. */
  model?: string;
  seconds?: number;
  aspectRatio?: string;
  resolution?: string;
}

/** Fills the create page and submits; answers with the new job's id, its page open. */
export async function createVideo(page: Page, video: VideoRequest): Promise<string> {
  await page.goto('/create');
  await hydrated(page);
  if (video.model) await page.locator(`label[data-model="${video.model}"]`).getByRole('radio').check();
  await page.getByLabel('Prompt').fill(video.prompt);
  await page.getByLabel('Length').selectOption(String(video.seconds ?? 2));
  if (video.aspectRatio) await page.getByLabel('Aspect ratio').selectOption(video.aspectRatio);
  await page.getByLabel('Resolution').selectOption(video.resolution ?? '540p');
  await page.getByRole('button', { name: /^Create video/ }).click();
  await page.waitForURL(/\/jobs\/[0-9a-f-]{36}/);
  await hydrated(page);
  return new URL(page.url()).pathname.split('/').at(-1)!;
}

/** A video made on the create page and followed on its job page until it is ready. */
export async function finishedVideo(
  page: Page,
  video: VideoRequest,
): Promise<{ jobId: string; outputId: string }> {
  const jobId = await createVideo(page, video);
  await page.locator('[data-testid="job-live"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
  const job = (await (await page.request.get(`/api/jobs/${jobId}`)).json()) as {
    output: { assetId: string };
  };
  return { jobId, outputId: job.output.assetId };
}

/**
 * Runs one of the platform's use cases given a Temporal that does not answer (nothing
 * listens at its address), on the stack's database: the stack's own Temporal serves
 * every test and stays up.
 */
export async function withTemporalUnanswered<T>(
  db: E2eDb,
  run: (deps: UseCaseDeps) => Promise<T>,
): Promise<T> {
  const unanswered = createTemporalClient({
    ...db.config.temporal,
    address: `127.0.0.1:${await freePort()}`,
  });
  try {
    const deps = {
      config: db.config,
      orm: db.orm,
      logger: createLogger({ level: 'silent', name: 'e2e' }),
      temporal: unanswered,
    } as unknown as UseCaseDeps;
    return await run(deps);
  } finally {
    await unanswered.connection.close();
  }
}

/** Runs the unstarted sweep now rather than at its next minute, through its Schedule. */
export async function sweepUnstartedNow(db: E2eDb): Promise<void> {
  const temporal = createTemporalClient(db.config.temporal);
  try {
    await temporal.client.schedule.getHandle(GENERATION_SCHEDULE_IDS.unstartedJobSweep).trigger();
  } finally {
    await temporal.connection.close();
  }
}
