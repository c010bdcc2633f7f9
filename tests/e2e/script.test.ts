// A script project in a real browser, against the production build and the real stack
// with the built-in renderer: write a script with a voice recording, review the scenes,
// see the whole run's price, run it and watch every scene's progress live, get the video;
// then change one scene, see that only it is priced and made again, and open version 2
// with what changed. Many projects are listed a page at a time. A run's cancel kept
// while Temporal does not answer shows on the project's open page, and the run ends
// cancelled once told. Screenshots at each step (test-artifacts/screenshots/script-*.png).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { media } from '../support/assets.ts';
import {
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  type Visitor,
} from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import { signedInVisitor, sweepUnstartedNow, withTemporalUnanswered } from '../support/e2e-fixtures.ts';
import { staffApi } from '../support/e2e-rights-request.ts';
import { createProject, projectRow, quoteAndRun, waitForProject } from '../support/script.ts';
import { PROMPT_MARKERS } from '../support/simulator/index.ts';
import { cancelProject } from '../../use-cases/script-cancel.ts';
import { creditBalance } from '../../stores/billing.ts';
import { ScriptProject } from '../../db/entities/index.ts';
import { PROJECT_PAGE_SIZE } from '../../domain/script.ts';
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

const SCRIPT = [
  'A lighthouse keeper wakes before dawn.',
  'She climbs the stairs with a lamp.',
  'The sea below is calm and silver.',
  'A ship far away answers her light.',
].join('\n\n');

describe('a creator makes a video from a script', () => {
  let me: Visitor;
  let projectUrl: string;

  beforeAll(async () => {
    const account = await db.account({ name: 'Sam Script', credits: 200 });
    me = await newVisitor(browser);
    await signInThroughPages(me.page, { email: account.email });
  });
  afterAll(async () => {
    if (me) await leave(me);
  });

  it('[R-IN-30D] writes a script with a voice recording and gets scenes to review, nothing charged', async () => {
    const { page } = me;
    await page.goto('/scripts');
    await hydrated(page);
    await answerCookieBanner(page, 'essential');
    expect(await page.getByRole('link', { name: 'Scripts', exact: true }).count()).toBeGreaterThan(0);

    const form = page.getByTestId('new-script');
    await form.getByLabel('Title', { exact: true }).fill('The lighthouse');
    await form.getByLabel('Script', { exact: true }).fill(SCRIPT);
    await form.getByLabel('Quality', { exact: true }).selectOption('540p');
    await page.getByTestId('voice-upload').setInputFiles({
      name: 'voice.m4a',
      mimeType: 'audio/mp4',
      buffer: await media('m4a'),
    });
    // The recording is uploaded at once and chosen.
    await expect
      .poll(() => form.getByLabel('Voice track', { exact: true }).inputValue(), { timeout: 20_000 })
      .not.toBe('');
    await form.getByLabel(/Draw the subtitles/).check();
    await screenshot(page, 'script-new');
    await form.getByRole('button', { name: 'Split into scenes' }).click();
    await page.waitForURL(/\/scripts\/[0-9a-f-]{36}$/);
    projectUrl = new URL(page.url()).pathname;
    await hydrated(page);

    const scenes = page.getByTestId('scene');
    expect(await scenes.count()).toBe(4);
    expect(
      await scenes.evaluateAll((els) => els.map((e) => (e as { dataset: { next: string } }).dataset.next)),
    ).toEqual(['new', 'new', 'new', 'new']);
    await expect.poll(() => page.getByTestId('project-live').getAttribute('data-status')).toBe('draft');
    await screenshot(page, 'script-scenes');
  });

  it('shows the whole run’s price, then makes it, every scene’s progress live, into one video', async () => {
    const { page } = me;
    await page.getByRole('button', { name: 'Get the price' }).click();
    const total = page.getByTestId('quote-total');
    await total.waitFor();
    expect(await total.textContent()).toContain('This run costs 12 credits');
    expect(await page.getByTestId('quote-line').count()).toBe(4);
    await screenshot(page, 'script-quote');

    await page.getByRole('button', { name: /Make the video for 12 credits/ }).click();
    const live = page.getByTestId('project-live');
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 20_000 }).toBe('running');
    // Scenes move on their own, as the page hears of each change.
    const statuses = new Set<string>();
    let shot = false;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline && (await live.getAttribute('data-status')) === 'running') {
      for (const status of await page
        .getByTestId('scene')
        .evaluateAll((els) => els.map((e) => (e as { dataset: { status: string } }).dataset.status)))
        statuses.add(status);
      if (!shot && statuses.has('running') && statuses.size > 1) {
        await screenshot(page, 'script-running');
        shot = true;
      }
      await page.waitForTimeout(150);
    }
    expect(await live.getAttribute('data-status')).toBe('ready');
    expect(statuses.has('succeeded')).toBe(true);
    expect([...statuses].some((s) => ['moderating', 'queued', 'running', 'saving'].includes(s))).toBe(true);
    await page.getByTestId('video').locator('video[src]').waitFor();
    await expect.poll(() => page.getByTestId('revision-row').count()).toBe(1);
    await screenshot(page, 'script-ready');
  });

  it('[R-INTERMEDIATE] changes scene 2: only it is priced and made again, and version 2 says so', async () => {
    const { page } = me;
    const scene2 = page.locator('[data-testid="scene"][data-position="2"]');
    await scene2
      .getByLabel('Words', { exact: true })
      .fill('She climbs the stairs, counting every step aloud.');
    await scene2.getByRole('button', { name: 'Save scene 2' }).click();
    await expect.poll(() => scene2.getAttribute('data-next')).toBe('edited');

    await page.getByRole('button', { name: 'Get the price' }).click();
    await page.getByTestId('quote-total').waitFor();
    const lines = await page
      .getByTestId('quote-line')
      .evaluateAll((els) => els.map((e) => (e as { dataset: { next: string } }).dataset.next));
    expect(lines).toEqual(['kept', 'edited', 'kept', 'kept']);
    expect(await page.getByTestId('quote-total').textContent()).toContain('This run costs 3 credits');
    await page.getByRole('button', { name: /Make the video for 3 credits/ }).click();
    const live = page.getByTestId('project-live');
    await expect.poll(() => live.getAttribute('data-status'), { timeout: 20_000 }).toBe('running');
    await expect
      .poll(() => live.getAttribute('data-status'), { timeout: 180_000, interval: 500 })
      .toBe('ready');
    await expect.poll(() => page.getByTestId('revision-row').count()).toBe(2);

    await page.getByRole('link', { name: 'Version 2', exact: true }).click();
    await page.waitForURL(`**${projectUrl}/revisions/2`);
    const changes = await page
      .getByTestId('change')
      .evaluateAll((els) => els.map((e) => (e as { dataset: { change: string } }).dataset.change));
    expect(changes).toEqual(['same', 'edited', 'same', 'same']);
    const rendered = await page
      .getByTestId('revision-scene')
      .evaluateAll((els) => els.map((e) => (e as { dataset: { rendered: string } }).dataset.rendered));
    expect(rendered).toEqual(['false', 'true', 'false', 'false']);
    await page.getByTestId('revision-video').waitFor();
    await screenshot(page, 'script-revision-2');
  });
});

describe("a script run's cancel kept while Temporal does not answer", () => {
  it('shows on the open project page in place of the button, and the run ends cancelled once the sweep tells it, nothing charged', async () => {
    const { page, account } = await signedInVisitor(browser, db, { name: 'Kim Kept', credits: 500 });
    // Scenes a provider never finishes, so the run is still going when the cancel comes.
    const api = await staffApi(account);
    const project = await createProject(api, {
      title: 'The ferry',
      script: [
        `A ferry waits in the fog ${PROMPT_MARKERS.stuck}`,
        `Its horn sounds twice ${PROMPT_MARKERS.stuck}`,
      ].join('\n\n'),
      modelId: 'luma-ray-flash-2',
      resolution: '720p',
    });
    await quoteAndRun(api, project.id);
    await waitForProject(api, project.id, {
      until: (p) => p.scenes.some((s) => s.job?.status === 'running'),
    });
    await page.goto(`/scripts/${project.id}`);
    await hydrated(page);
    const cancelButton = page.getByRole('button', { name: 'Cancel this run' });
    await cancelButton.waitFor();

    // The platform's own cancel, given a Temporal that does not answer.
    const kept = await withTemporalUnanswered(db, (deps) =>
      cancelProject(deps, { id: account.id, role: 'creator' }, project.id),
    );
    expect(kept).toMatchObject({ status: 'running', cancelRequestedAt: expect.any(String) });
    // The page, open all along, hears it.
    await page.getByTestId('cancel-requested').waitFor();
    expect(await cancelButton.count()).toBe(0);
    await screenshot(page, 'script-cancel-requested');

    // The sweep, run now rather than at its next minute, tells the project's workflow.
    await sweepUnstartedNow(db);
    await page.locator('[data-testid="project-live"][data-status="cancelled"]').waitFor({ timeout: 75_000 });
    expect(await page.getByTestId('project-message').textContent()).toContain('You cancelled this run.');
    expect(await page.getByTestId('cancel-requested').count()).toBe(0);
    expect(await creditBalance(db.orm.em.fork(), account.id)).toBe(500);
  });
});

describe("a creator's many script projects", () => {
  it('are listed last changed first, a page at a time, the earlier ones a link away', async () => {
    const visitor = await signedInVisitor(browser, db, { name: 'Pia Paged' });
    const now = Date.now();
    // One more than a page; the first made is the one changed longest ago.
    const projects = Array.from({ length: PROJECT_PAGE_SIZE + 1 }, (_, n) =>
      projectRow(visitor.account.id, {
        title: `Draft ${n}`,
        createdAt: new Date(now - 3_600_000),
        updatedAt: new Date(now - 60_000 * (PROJECT_PAGE_SIZE + 1 - n)),
      }),
    );
    await db.orm.em.fork().insertMany(ScriptProject, projects);
    const [earliest, latest] = [projects[0]!.title, projects.at(-1)!.title];
    const { page } = visitor;
    const titles = () =>
      page
        .getByTestId('project-row')
        .locator('a')
        .evaluateAll((links) => links.map((a) => (a as { textContent: string }).textContent));

    await page.goto('/scripts');
    await page.getByTestId('project-row').first().waitFor();
    const first = await titles();
    expect(first).toHaveLength(PROJECT_PAGE_SIZE);
    expect(first[0]).toBe(latest);
    expect(first).not.toContain(earliest);

    await page.getByRole('link', { name: 'Changed earlier' }).click();
    await page.waitForURL(/cursor=/);
    await page.getByRole('link', { name: earliest, exact: true }).waitFor();
    expect(await titles()).toEqual([earliest]);

    await page.getByRole('link', { name: 'Latest changed' }).click();
    await page.getByRole('link', { name: latest, exact: true }).waitFor();
    await leave(visitor);
  });
});
