// How fast the studio feels, measured in the browser and printed as one JSON line: the
// create page's first load (cold browser cache, signed in) up to the hydration marker, and
// how long a change in a running job takes to show on its page, from the moment the
// database announced it (the NOTIFY its row's trigger sends, as heard by this process,
// or the job's finish time in the database) to the moment the page rendered it (the same
// machine's clock). Figures only: nothing here passes or fails on time.
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationJob } from '../../db/entities/index.ts';
import { hydrated, launchChromium, leave, newVisitor, pageTimings } from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import {
  answerCookieBanner,
  liveRecord,
  recordLiveUpdates,
  signInThroughPages,
} from '../support/e2e-studio.ts';

let browser: Browser;
let db: E2eDb;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

const RUNS = 5;
const JOBS = 2;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN;
};
const p95 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]! : NaN;
};

/**
 * The job's progress as PostgreSQL announced it, with the time each announcement reached
 * this process: the render writes its progress to the job's row, and the row's trigger
 * announces the change on `generation_job` (the same notice the api's live view waits for).
 */
async function watchProgress(jobId: Promise<string>): Promise<{
  changes: { at: number; percent: number }[];
  stop(): Promise<void>;
}> {
  const listener = new pg.Client({ connectionString: db.config.database.url });
  await listener.connect();
  const changes: { at: number; percent: number }[] = [];
  const reads: Promise<unknown>[] = [];
  listener.on('notification', (notice) => {
    const at = Date.now();
    reads.push(
      jobId.then(async (id) => {
        if (notice.payload !== id) return;
        const row = await db.orm.em.fork().findOne(GenerationJob, { id }, { fields: ['progress'] });
        const percent = Math.round(Math.min(1, Number(row?.progress ?? 0)) * 100);
        if (percent > (changes.at(-1)?.percent ?? 0) && percent < 100) changes.push({ at, percent });
      }),
    );
  });
  await listener.query('listen generation_job');
  return {
    changes,
    async stop() {
      await listener.end();
      await Promise.all(reads);
    },
  };
}

describe('studio timing', () => {
  it('measures the create page’s first load and the job page’s live progress delay', async () => {
    const account = await db.account({ name: 'Tim Timing', credits: 200 });
    const first = await newVisitor(browser);
    await signInThroughPages(first.page, account);
    await answerCookieBanner(first.page, 'essential');
    const signedIn = await first.context.storageState();
    await leave(first);

    // The create page, signed in, with nothing cached: as on a first visit of the day; and,
    // in turn with it (so both see the same machine load), the landing page as the baseline.
    const loads = [];
    const baseline = [];
    for (let i = 0; i < RUNS; i++) {
      const visitor = await newVisitor(browser, { storageState: signedIn });
      await visitor.page.goto('/create');
      loads.push(await pageTimings(visitor.page));
      await leave(visitor);
      const stranger = await newVisitor(browser);
      await stranger.page.goto('/');
      baseline.push(await pageTimings(stranger.page));
      await leave(stranger);
    }
    for (const run of loads) expect(run.hydratedMs).toBeGreaterThanOrEqual(run.domInteractiveMs);

    // Live progress: long enough renders (10 s at 1080p) for several progress steps each.
    const announcedDelays: number[] = [];
    const eventDelays: number[] = [];
    const finishDelays: number[] = [];
    const eventGaps: number[] = [];
    let progressSteps = 0;
    for (let j = 0; j < JOBS; j++) {
      const visitor = await newVisitor(browser, { storageState: signedIn });
      const { page } = visitor;
      await page.goto('/create');
      await hydrated(page);
      await page.getByLabel('Prompt').fill(`a timelapse of clouds over mountains, take ${j + 1}`);
      await page.getByLabel('Length').selectOption('10');
      await page.getByLabel('Resolution').selectOption('1080p');
      await page.getByTestId('price-credits').filter({ hasText: '30 credits' }).waitFor();
      await recordLiveUpdates(page);
      let created!: (id: string) => void;
      const progress = await watchProgress(new Promise<string>((resolve) => (created = resolve)));
      await page.getByRole('button', { name: /^Create video/ }).click();
      await page.waitForURL(/\/jobs\/[0-9a-f-]{36}/);
      const jobId = new URL(page.url()).pathname.split('/').at(-1)!;
      created(jobId);
      // The record starts with the job page's own load (the init script runs on each document).
      await page.reload();
      await page.locator('[data-testid="job-live"][data-status="succeeded"]').waitFor({ timeout: 90_000 });
      const record = await liveRecord(page);
      await progress.stop();
      const job = (await (await page.request.get(`/api/jobs/${jobId}`)).json()) as { finishedAt: string };

      const pageStart = record.renders[0]?.at ?? 0;
      for (const change of progress.changes) {
        // Only changes that happened while the page was watching.
        if (change.at < pageStart) continue;
        progressSteps++;
        const rendered = record.renders.find((r) => r.at >= change.at && (r.value ?? 0) >= change.percent);
        const arrived = record.events.find(
          (e) => e.at >= change.at && Math.round((e.progress ?? 0) * 100) >= change.percent,
        );
        if (rendered) announcedDelays.push(rendered.at - change.at);
        if (arrived) eventDelays.push(arrived.at - change.at);
      }
      const done = record.renders.find((r) => r.status === 'succeeded');
      if (done) finishDelays.push(done.at - new Date(job.finishedAt).getTime());
      for (let i = 1; i < record.events.length; i++)
        eventGaps.push(record.events[i]!.at - record.events[i - 1]!.at);
      await leave(visitor);
    }
    expect(finishDelays).toHaveLength(JOBS);
    // Progress was seen while the pages watched, and each step reached the bar.
    expect(progressSteps).toBeGreaterThan(0);
    expect(announcedDelays).toHaveLength(progressSteps);

    const figures = {
      e2e: 'studio-timing',
      createPage: {
        runs: RUNS,
        medianMs: {
          ttfb: median(loads.map((r) => r.ttfbMs)),
          firstContentfulPaint: median(loads.map((r) => r.firstContentfulPaintMs ?? NaN)),
          domInteractive: median(loads.map((r) => r.domInteractiveMs)),
          hydrated: median(loads.map((r) => r.hydratedMs)),
          load: median(loads.map((r) => r.loadMs)),
        },
        hydratedMsEachRun: loads.map((r) => r.hydratedMs),
        transferKb: loads[0]!.transferKb,
        baselineLandingHydratedMs: median(baseline.map((r) => r.hydratedMs)),
        ratioToBaseline:
          Math.round(
            (median(loads.map((r) => r.hydratedMs)) / median(baseline.map((r) => r.hydratedMs))) * 100,
          ) / 100,
      },
      progressDelay: {
        jobs: JOBS,
        progressSteps,
        // PostgreSQL announced a progress change -> the progress bar showed it.
        announcedToRenderMs: {
          median: median(announcedDelays),
          p95: p95(announcedDelays),
          max: Math.max(...announcedDelays),
        },
        // ... -> the server-sent event carrying it reached the page.
        announcedToEventMs: { median: median(eventDelays), p95: p95(eventDelays) },
        // Job finished in the database -> the page said "ready".
        finishToRenderMs: finishDelays,
        // Between successive server-sent events while the job ran.
        eventIntervalMs: { median: median(eventGaps), min: Math.min(...eventGaps) },
      },
    };
    console.log(JSON.stringify(figures));
  });
});
