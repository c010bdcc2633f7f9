// A creator's whole loop in a real browser, against the production build and the real
// stack with the built-in local renderer: sign in, create a video on the create page (live
// price, a double click that still makes one job), watch it reach 100% live on the job
// page, play and download it, see its deletion countdown in the library and delete it;
// then the credits it cost, the jobs list, a revision, a phone's width and no JavaScript.
// Each test signs in an account of its own and makes the video it needs (tests/support/
// e2e-fixtures.ts), so it passes alone and in any order.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import Stripe from 'stripe';
import { Payment } from '../../db/entities/index.ts';
import { JOB_PAGE_SIZE_MAX } from '../../domain/generation.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { DAY, HOUR } from '../../domain/time.ts';
import { documentWidth, hydrated, launchChromium, screenshot } from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import { insertJobRow } from '../support/generation.ts';
import { createVideo, finishedVideo, signedInVisitor, type VideoRequest } from '../support/e2e-fixtures.ts';
import { liveRecord, playVideo, pngImage, recordLiveUpdates } from '../support/e2e-studio.ts';

declare const document: any;

let browser: Browser;
let db: E2eDb;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

const PROMPT = 'a paper boat drifting down a rainy street at dusk, close-up';
// Long enough at 1080p for the render to be seen under way.
const SECONDS = 8;
/** The video each test of the first group makes: 3 credits a second, 24 of Vera's 28. */
const VIDEO: VideoRequest = {
  model: 'local-v1',
  prompt: PROMPT,
  seconds: SECONDS,
  aspectRatio: '16:9',
  resolution: '1080p',
};

async function api<T = any>(page: Page, path: string): Promise<{ status: number; body: T }> {
  const res = await page.request.get(path);
  return { status: res.status(), body: (await res.json()) as T };
}

describe('a creator makes a video', () => {
  /** Vera, with 28 credits, signed in on a window of her own. */
  const signedInVera = () => signedInVisitor(browser, db, { name: 'Vera Video', credits: 28 });

  it('[R-OUT-7D] creates it on the create page: the model’s choices, a live price, one job for a double click', async () => {
    const { page } = await signedInVera();
    // The create page is a creator's home once it exists.
    await page.waitForURL('**/create');
    await hydrated(page);

    // The local model, with what it can do and its price.
    const local = page.locator('label[data-model="local-v1"]');
    expect(await local.textContent()).toContain('Clipwise Local');
    expect(await local.textContent()).toContain('2–10 seconds');
    expect(await local.textContent()).toContain('from 1 credit per second');
    await local.getByRole('radio').check();
    // Only what the chosen model supports is offered.
    const lengths = await page.getByLabel('Length').locator('option').allTextContents();
    expect(lengths).toEqual([
      '2 seconds',
      '3 seconds',
      '4 seconds',
      '5 seconds',
      '6 seconds',
      '8 seconds',
      '10 seconds',
    ]);
    expect(await page.getByLabel('Resolution').locator('option').allTextContents()).toEqual([
      '540p · 1 credit/s',
      '720p · 2 credits/s',
      '1080p · 3 credits/s',
    ]);

    await page.getByLabel('Prompt').fill(PROMPT);
    await page.getByLabel('Length').selectOption(String(SECONDS));
    await page.getByLabel('Aspect ratio').selectOption('16:9');
    await page.getByLabel('Resolution').selectOption('1080p');
    // The API's quote: 3 credits a second for 8 seconds, against the balance.
    await page.getByTestId('price').getByText('quoted').waitFor();
    expect(await page.getByTestId('price-credits').textContent()).toBe('24 credits');
    expect(await page.getByTestId('balance').innerText()).toBe(
      'Your balance: 28 credits, 4 credits after this video.',
    );
    await screenshot(page, 'create');

    // Asking for more than the balance is explained before submitting.
    await page.getByLabel('Length').selectOption('10');
    await page.getByTestId('price-credits').filter({ hasText: '30 credits' }).waitFor();
    await page.getByTestId('insufficient').waitFor();
    expect(await page.getByTestId('insufficient').innerText()).toContain(
      'This video costs 30 credits and you have 28 credits: you need 2 credits more.',
    );
    await page.getByLabel('Length').selectOption(String(SECONDS));
    await page.getByTestId('price-credits').filter({ hasText: '24 credits' }).waitFor();
    expect(await page.getByTestId('insufficient').count()).toBe(0);
    await page.getByTestId('price').getByText('quoted').waitFor();

    // A double click (or an impatient second click) makes exactly one job.
    await page.getByRole('button', { name: /^Create video/ }).dblclick();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}\?created=1$/);
    const jobId = new URL(page.url()).pathname.split('/').at(-1)!;
    const { body } = await api<{ jobs: { id: string }[] }>(page, '/api/jobs');
    expect(body.jobs.map((j) => j.id)).toEqual([jobId]);
  });

  it('follows the job live on its page until 100%, and plays the video at its length', async () => {
    const { page } = await signedInVera();
    await recordLiveUpdates(page);
    const jobId = await createVideo(page, VIDEO);
    const live = page.getByTestId('job-live');
    // Under way: a screenshot with the bar part-filled, if the render is caught in the act.
    const underWay = await page
      .locator(
        '[data-testid="job-live"][data-status="running"] [role="progressbar"][aria-valuenow]:not([aria-valuenow="0"])',
      )
      .waitFor({ timeout: 20_000 })
      .then(() => true)
      .catch(() => false);
    if (underWay) await screenshot(page, 'job-running');
    await page.locator('[data-testid="job-live"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    const bar = live.getByRole('progressbar');
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByTestId('status-sentence').textContent()).toBe('Your video is ready.');

    // The page heard it through server-sent events, and rendered it, ending at 100%.
    const record = await liveRecord(page);
    expect(record.events.length).toBeGreaterThan(0);
    expect(record.events.at(-1)!.status).toBe('succeeded');
    expect(record.renders.at(-1)).toMatchObject({ value: 100, status: 'succeeded' });

    // The video plays, from its presigned link, at the length asked for.
    const video = page.getByTestId('video');
    await video.waitFor();
    const played = await playVideo(video);
    expect(played.duration).toBeGreaterThan(SECONDS - 0.5);
    expect(played.duration).toBeLessThan(SECONDS + 0.5);
    expect(played.currentTime).toBeGreaterThan(0);
    expect(new URL(played.src).searchParams.has('X-Amz-Signature')).toBe(true);

    // [R-OUT-7D] Its deletion, counted down from the output's delete-at: 7 days from now.
    const job = (await api(page, `/api/jobs/${jobId}`)).body;
    const left = new Date(job.output.deleteAt).getTime() - Date.now();
    expect(left).toBeGreaterThan(RETENTION_POLICY.output.keepMs - HOUR);
    expect(await page.getByTestId('deletion').textContent()).toContain('Deleted in 6 days 23 hours');
    await page.evaluate(() => document.querySelector('video')?.pause());
    await screenshot(page, 'job-done');
  });

  it('downloads the MP4', async () => {
    const { page } = await signedInVera();
    const { outputId } = await finishedVideo(page, VIDEO);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download' }).click(),
    ]);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const asset = (await api(page, `/api/assets/${outputId}`)).body;
    expect(bytes.length).toBe(asset.sizeBytes);
  });

  it('[R-IN-EARLY] sees the countdown in the library, and deletes the video now', async () => {
    const { page, account } = await signedInVera();
    const { jobId, outputId } = await finishedVideo(page, VIDEO);
    // More jobs finished after it than one list of jobs holds: the video keeps its prompt.
    const em = db.orm.em.fork();
    for (let i = 0; i < JOB_PAGE_SIZE_MAX; i++) {
      await insertJobRow(em, {
        userId: account.id,
        status: 'succeeded',
        createdAt: new Date(Date.now() + 1000),
      });
    }
    await page.goto('/library');
    await hydrated(page);
    const item = page.locator(`[data-testid="library-item"][data-asset="${outputId}"]`);
    expect(await item.getByRole('link', { name: PROMPT }).count()).toBe(1);
    expect(await item.getByTestId('deletion-countdown').textContent()).toContain(
      'Deleted in 6 days 23 hours',
    );
    expect(await page.getByTestId('uploads-empty').count()).toBe(1);
    await screenshot(page, 'library');

    await item.getByText('Delete now').click();
    await item.getByRole('button', { name: 'Yes, delete it' }).click();
    await item.getByText('The video is deleted.').waitFor();
    expect(['deleting', 'deleted']).toContain(await item.getAttribute('data-status'));
    // Gone for the owner too: no link is handed out any more.
    expect((await page.request.get(`/api/assets/${outputId}/download`)).status()).toBe(410);
    await page.goto(`/jobs/${jobId}`);
    await page.getByTestId('output-deleted').waitFor();
    expect(await page.getByTestId('video').count()).toBe(0);
  });

  it('sees the credits it cost, in words', async () => {
    const { page } = await signedInVera();
    await finishedVideo(page, VIDEO);
    await page.goto('/credits');
    expect(await page.getByTestId('balance').innerText()).toBe('4 credits');
    const rows = page.getByTestId('ledger').locator('tbody tr');
    expect(await rows.evaluateAll((trs: any[]) => trs.map((tr) => tr.dataset.kind))).toEqual([
      'capture',
      'reserve',
      'grant',
    ]);
    expect(await page.locator('tr[data-kind="reserve"]').textContent()).toContain('Set aside');
    expect(await page.locator('tr[data-kind="reserve"]').textContent()).toContain('−24');
    expect(await page.locator('tr[data-kind="capture"]').textContent()).toContain('Charged');
    expect(await page.locator('tr[data-kind="grant"]').textContent()).toContain('+28');
    await screenshot(page, 'credits');
  });

  it('finds it in the jobs list, filtered by status', async () => {
    const { page } = await signedInVera();
    await finishedVideo(page, VIDEO);
    await page.goto('/jobs');
    // The hydrated page; a choice made before hydration is the next test's.
    await hydrated(page);
    expect(await page.getByTestId('job-row').count()).toBe(1);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL('**/jobs?status=failed&model=');
    await page.getByTestId('jobs-empty').waitFor();
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('[data-testid="job-row"][data-status="succeeded"]').waitFor();
    await screenshot(page, 'jobs');
  });

  it('keeps a status chosen before the page hydrates', async () => {
    const { page } = await signedInVera();
    // The app's scripts are held back until the choice is made, so the page hydrates
    // over a select a person has already changed, as on a slow connection.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/_app\/immutable\/.+\.js$/, async (route) => {
      await released;
      await route.continue();
    });
    await page.goto('/jobs', { waitUntil: 'commit' });
    const status = page.getByLabel('Status');
    await status.selectOption('failed');
    expect(await page.locator('html[data-hydrated]').count()).toBe(0);
    release();
    await hydrated(page);
    expect(await status.inputValue()).toBe('failed');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL('**/jobs?status=failed&model=');
  });

  it('makes a variation from the job page: the create page comes pre-filled and the chain shows both', async () => {
    const { page } = await signedInVera();
    const { jobId } = await finishedVideo(page, VIDEO);
    await page.goto(`/jobs/${jobId}`);
    await page.getByRole('link', { name: 'Make a variation' }).click();
    await page.waitForURL(`**/create?parentJobId=${jobId}&revisionKind=variation`);
    await hydrated(page);
    expect(await page.getByLabel('Prompt').inputValue()).toBe(PROMPT);
    expect(await page.getByLabel('Length').inputValue()).toBe(String(SECONDS));
    expect(await page.getByLabel('Resolution').inputValue()).toBe('1080p');
    await page.getByLabel('Prompt').fill(`${PROMPT}, in autumn`);
    await page.getByLabel('Length').selectOption('2');
    await page.getByLabel('Resolution').selectOption('540p');
    await page.getByTestId('price-credits').filter({ hasText: '2 credits' }).waitFor();
    await page.getByRole('button', { name: /^Create video/ }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}\?created=1$/);
    const chain = page.getByTestId('revision-chain');
    await chain.waitFor();
    expect(await chain.locator('li').count()).toBe(2);
    expect(await chain.locator('a[aria-current="page"]').textContent()).toBe('Variation');
    const child = (await api(page, `/api/jobs/${new URL(page.url()).pathname.split('/').at(-1)}`)).body;
    expect(child).toMatchObject({ parentJobId: jobId, revisionKind: 'variation' });
  });
});

describe('[R-IN-30D] a creator animates an uploaded image', () => {
  it('uploads it with a preview, gives it a role, sees the fallback prices, and the provider makes the video', async () => {
    const { page } = await signedInVisitor(browser, db, { name: 'Ines Image', credits: 200 });
    await hydrated(page);
    // Every provider of this deployment is offered (they answer from the simulator here).
    await page.locator('label[data-model="luma-ray-2"]').getByRole('radio').check();
    await page.getByText('Luma Ray 2 takes up to 2 images').waitFor();
    await page.getByLabel('Prompt').fill('the lake at dawn comes alive, mist drifting');
    await page.getByLabel('Length').selectOption('5');
    await page.getByLabel('Aspect ratio').selectOption('16:9');
    await page.getByLabel('Resolution').selectOption('720p');

    // Something that is not an image is refused at once, in words.
    const files = page.locator('input[type="file"]');
    await files.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.getByText('“notes.txt” is not an image').waitFor();

    // The image shows at once, uploads, and takes the first role the model offers.
    await files.setInputFiles({ name: 'lake.png', mimeType: 'image/png', buffer: pngImage() });
    const image = page.getByTestId('reference-image');
    const preview = image.getByRole('img', { name: 'Preview of lake.png' });
    await preview.waitFor();
    expect(await preview.getAttribute('src')).toMatch(/^blob:/);
    expect(await preview.evaluate((img: any) => img.naturalWidth)).toBe(256);
    const role = image.getByLabel('Use it as');
    await role.waitFor();
    expect(await role.inputValue()).toBe('first_frame');
    expect(await role.locator('option').allTextContents()).toEqual(['First frame', 'Last frame']);
    const uploads = (await api<{ assets: any[] }>(page, '/api/assets?kind=input')).body.assets;
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ contentType: 'image/png', status: 'stored' });
    // [R-IN-30D] Uploads are kept 30 days.
    const keep = new Date(uploads[0].deleteAt).getTime() - new Date(uploads[0].storedAt).getTime();
    expect(keep).toBe(RETENTION_POLICY.input.keepMs);

    // With fallback allowed, the quote lists the models that could step in, and the difference.
    await page.getByLabel(/If Luma Ray 2 is unavailable/).check();
    const fallbacks = page.getByTestId('fallbacks');
    await fallbacks.waitFor();
    expect(await page.getByTestId('price-credits').textContent()).toBe('75 credits');
    const offers = await fallbacks.locator('li').allTextContents();
    expect(offers.length).toBeGreaterThan(0);
    expect(offers[0]).toMatch(/^Pika 2\.2: 25 credits\s*\(50 credits less\)$/);
    await screenshot(page, 'create-with-image');

    await page.getByRole('button', { name: /^Create video/ }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}/);
    await page.locator('[data-testid="job-live"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('video').waitFor();
    const job = (await api(page, new URL(page.url()).pathname.replace('/jobs/', '/api/jobs/'))).body;
    expect(job.parameters.inputs).toEqual([{ assetId: uploads[0].id, role: 'first_frame' }]);

    // The upload is in the library with its own countdown, and can be deleted there.
    await page.goto('/library');
    const item = page.locator(`[data-testid="library-item"][data-asset="${uploads[0].id}"]`);
    expect(await item.getByTestId('deletion-countdown').textContent()).toContain(
      'Deleted in 29 days 23 hours',
    );
  });
});

describe('[R-NOCARD] buying credits', () => {
  it('sends the buyer to Stripe Checkout, then shows the credits once Stripe confirms the payment', async () => {
    const { page, context, account } = await signedInVisitor(browser, db, { name: 'Bea Buyer', credits: 5 });
    // Stripe's page is on the internet: here it is a stand-in, and only its address matters.
    await context.route('https://checkout.stripe.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Stripe Checkout</title>' }),
    );
    await page.goto('/credits');
    await hydrated(page);
    expect(await page.getByTestId('packs').locator('li').first().innerText()).toContain('$5.00');
    await page.getByRole('button', { name: 'Buy 100 credits' }).click();
    await page.waitForURL((url) => url.origin === 'https://checkout.stripe.com');
    const [payment] = await db.orm.em.fork().find(Payment, { user: account.id });
    expect(payment).toMatchObject({ pack: 'starter', credits: 100, status: 'pending' });

    // Back from Stripe before its confirmation: the page says so, and looks again by itself.
    await page.goto(`/credits?paid=${encodeURIComponent(payment!.id)}`);
    await page.getByText("Stripe hasn't confirmed your payment yet").waitFor();
    const event = {
      id: `evt_${account.id.slice(0, 8)}`,
      object: 'event',
      type: 'checkout.session.completed',
      data: { object: { id: payment!.id, object: 'checkout.session', payment_status: 'paid' } },
    };
    const payload = JSON.stringify(event);
    const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
      payload,
      secret: db.config.stripe.webhookSecret,
    });
    const delivered = await fetch(`${inject('apiUrl')}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
    expect(delivered.status).toBe(200);
    await page.getByText('100 credits were added to your balance').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('balance').innerText()).toBe('105 credits');
    expect(await page.locator('tr[data-kind="purchase"]').innerText()).toContain('Bought');
    expect(await page.locator('tr[data-kind="purchase"]').innerText()).toContain('+100');
    await screenshot(page, 'credits-bought');
  });
});

describe('the studio pages', () => {
  it('start from the creator’s default settings, and fit a 375px phone without sideways scrolling', async () => {
    const defaults = { model: 'local-v1', durationSeconds: 3, aspectRatio: '9:16', resolution: '720p' };
    const pia = { name: 'Pia Phone', credits: 20, preferences: { generationDefaults: defaults } };
    const { page } = await signedInVisitor(browser, db, pia, { width: 375, height: 812 });
    await page.goto('/create');
    await hydrated(page);
    expect(await page.locator('label[data-model="local-v1"]').getByRole('radio').isChecked()).toBe(true);
    expect(await page.getByLabel('Length').inputValue()).toBe('3');
    expect(await page.getByLabel('Aspect ratio').inputValue()).toBe('9:16');
    expect(await page.getByLabel('Resolution').inputValue()).toBe('720p');
    for (const path of ['/create', '/jobs', '/library', '/credits', '/cookies']) {
      await page.goto(path);
      await hydrated(page);
      const { scrollWidth, viewport } = await documentWidth(page);
      expect(scrollWidth, `${path} is ${scrollWidth}px wide`).toBeLessThanOrEqual(viewport);
      if (path === '/create') await screenshot(page, 'create-375');
    }
  });

  it('work without JavaScript: the price, then a job, with plain form posts', async () => {
    // No JavaScript, so no cookie banner to answer.
    const noScript = { javaScriptEnabled: false, cookies: null } as const;
    const { page } = await signedInVisitor(browser, db, { name: 'Noah Script', credits: 20 }, noScript);
    await page.goto('/create');
    await page.getByLabel('Prompt').fill('a lighthouse in a storm');
    await page.getByLabel('Length').selectOption('2');
    await page.getByLabel('Resolution').selectOption('540p');
    await page.getByRole('button', { name: 'Check the price' }).click();
    await page.getByTestId('price').getByText('quoted').waitFor();
    expect(await page.getByTestId('price-credits').textContent()).toBe('2 credits');
    // What was typed survives the round trip.
    expect(await page.getByLabel('Prompt').inputValue()).toBe('a lighthouse in a storm');
    await page.getByRole('button', { name: /^Create video/ }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}/);
    // The page refreshes itself while the job runs.
    await page.locator('[data-testid="job-live"][data-status="succeeded"]').waitFor({ timeout: 60_000 });
  });
});

// Keep the figures honest: the countdown words above assume the policy table's 7 days.
expect(RETENTION_POLICY.output.keepMs).toBe(7 * DAY);
