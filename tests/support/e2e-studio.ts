// Steps the studio's browser tests share: signing in through the pages, answering the
// cookie banner, and watching what a page does over time (live progress, analytics sent,
// a video playing).
import { crc32, deflateSync } from 'node:zlib';
import type { Locator, Page, Request } from 'playwright-core';
import { TEST_PASSWORD, totp } from './accounts.ts';
import { hydrated } from './e2e-browser.ts';

declare const document: any;
declare const window: any;
declare const MutationObserver: any;
declare const EventSource: any;

/** Signs in with the sign-in page (and the two-factor page for staff with a seed). */
export async function signInThroughPages(
  page: Page,
  account: { email: string; mfaSeed?: string },
  next?: string,
): Promise<void> {
  await page.goto(next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in');
  await page.getByLabel('Email address').fill(account.email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (account.mfaSeed) {
    await page.waitForURL('**/mfa**');
    await hydrated(page);
    await page.getByLabel('6-digit code').fill(await totp(account.mfaSeed));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
  }
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in') && !url.pathname.startsWith('/mfa'));
}

/** Answers the cookie banner, if it is showing. */
export async function answerCookieBanner(page: Page, answer: 'essential' | 'analytics'): Promise<void> {
  const banner = page.getByTestId('cookie-banner');
  if ((await banner.count()) === 0) return;
  await hydrated(page);
  await banner
    .getByRole('button', { name: answer === 'analytics' ? 'Allow analytics' : 'Essential cookies only' })
    .click();
  await banner.waitFor({ state: 'detached' });
}

/** Requests to the analytics endpoint a page sends, kept as they happen. */
export function recordAnalyticsRequests(page: Page): { requests: Request[]; bodies: () => any[] } {
  const requests: Request[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/analytics/events') requests.push(request);
  });
  return {
    requests,
    bodies: () =>
      requests.flatMap((r) => (JSON.parse(r.postData() ?? '{}') as { events?: any[] }).events ?? []),
  };
}

export interface LiveRecord {
  /** Each server-sent `progress` event, when it arrived (epoch ms) and what it said. */
  events: { at: number; status: string; progress: number | null }[];
  /** Each change of the progress bar on the page, when it was rendered (epoch ms). */
  renders: { at: number; value: number | null; status: string }[];
}

/**
 * Before the page loads: wraps EventSource to note each event's arrival, and watches the
 * progress bar and the status for changes, all with the browser's clock (the same machine's
 * clock as the servers').
 */
export async function recordLiveUpdates(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const record: { events: unknown[]; renders: unknown[] } = { events: [], renders: [] };
    window.__live = record;
    const Original = EventSource;
    window.EventSource = class extends Original {
      constructor(url: string, init?: unknown) {
        super(url, init);
        this.addEventListener('progress', (event: { data: string }) => {
          const job = JSON.parse(event.data);
          record.events.push({ at: Date.now(), status: job.status, progress: job.progress });
        });
      }
    };
    const watch = () => {
      const live = document.querySelector('[data-testid="job-live"]');
      if (!live) return false;
      let last = '';
      const note = () => {
        const bar = live.querySelector('[role="progressbar"]');
        const value = bar?.getAttribute('aria-valuenow');
        const status = live.getAttribute('data-status');
        const key = `${status}|${value}`;
        if (key === last) return;
        last = key;
        record.renders.push({ at: Date.now(), value: value == null ? null : Number(value), status });
      };
      note();
      new MutationObserver(note).observe(live, { attributes: true, subtree: true, childList: true });
      return true;
    };
    document.addEventListener('DOMContentLoaded', () => {
      if (!watch()) {
        const wait = new MutationObserver(() => {
          if (watch()) wait.disconnect();
        });
        wait.observe(document.body, { childList: true, subtree: true });
      }
    });
  });
}

export function liveRecord(page: Page): Promise<LiveRecord> {
  return page.evaluate(() => window.__live ?? { events: [], renders: [] });
}

/**
 * Plays a video element, muted, until its time has moved on: its length, how far it got,
 * where it played from.
 */
export function playVideo(video: Locator): Promise<{ duration: number; currentTime: number; src: string }> {
  return video.evaluate(
    async (el: any) =>
      new Promise<{ duration: number; currentTime: number; src: string }>((resolve, reject) => {
        const start = async () => {
          el.muted = true;
          const played = () => {
            if (el.currentTime <= 0) return;
            el.removeEventListener('timeupdate', played);
            resolve({ duration: el.duration, currentTime: el.currentTime, src: el.currentSrc });
          };
          el.addEventListener('timeupdate', played);
          await el.play();
        };
        el.addEventListener('error', () => reject(new Error(`video error ${el.error?.code}`)));
        if (el.readyState >= 1) void start();
        else el.addEventListener('loadedmetadata', () => void start(), { once: true });
      }),
  );
}

/** A real PNG (a colour gradient) made in memory, for upload tests. */
export function pngImage(width = 256, height = 144): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      rows[row + 1 + x * 3] = Math.round((x / width) * 255);
      rows[row + 2 + x * 3] = Math.round((y / height) * 200);
      rows[row + 3 + x * 3] = 180;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
