// How fast the landing and sign-in pages become usable, measured in the browser and
// printed as one JSON line. Figures only: nothing here passes or fails on time.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hydrated, launchChromium, leave, newVisitor, pageTimings } from '../support/e2e-browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const RUNS = 5;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('time to interactive', () => {
  it('measures the landing and sign-in pages (cold browser cache, warm server)', async () => {
    const figures: Record<string, unknown> = { e2e: 'time-to-interactive', runs: RUNS };
    for (const [name, path] of [
      ['landing', '/'],
      ['signIn', '/sign-in'],
    ] as const) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) {
        // A new context each time: nothing cached, as on a first visit.
        const visitor = await newVisitor(browser);
        const { page } = visitor;
        await page.goto(path);
        await hydrated(page);
        runs.push(await pageTimings(page));
        await leave(visitor);
      }
      for (const run of runs) expect(run.hydratedMs).toBeGreaterThanOrEqual(run.domInteractiveMs);
      figures[name] = {
        medianMs: {
          ttfb: median(runs.map((r) => r.ttfbMs)),
          firstContentfulPaint: median(runs.map((r) => r.firstContentfulPaintMs ?? NaN)),
          domInteractive: median(runs.map((r) => r.domInteractiveMs)),
          hydrated: median(runs.map((r) => r.hydratedMs)),
          load: median(runs.map((r) => r.loadMs)),
        },
        transferKb: runs[0]!.transferKb,
        hydratedMsEachRun: runs.map((r) => r.hydratedMs),
      };
    }
    console.log(JSON.stringify(figures));
  });
});
