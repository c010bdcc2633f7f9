// Chromium for the browser tests: Debian's build driven by playwright-core (Playwright's
// own browser download cannot work offline), a fresh profile per launch, and one context
// per simulated person, each with its own cookies and its own client address.
import { randomInt, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { TestClient } from './client.ts';
import { waitForMail } from './mail.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-artifacts', 'screenshots');

// The helpers at the end run inside the page (page.evaluate). The repository's type check
// has no DOM library, so the browser globals they use are declared for this module only.
declare const document: any;
declare const window: any;
declare const getComputedStyle: any;
declare const performance: any;
declare const Option: any;
declare const Event: any;

/** Playwright gives each launch a fresh temporary user-data directory and removes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** The client address the site sees for this visitor. */
  address: string;
  /** Uncaught page errors and Content-Security-Policy violations seen in any of its pages. */
  problems: string[];
}

/** A new person at the keyboard: their own cookies, address and window. */
export async function newVisitor(
  browser: Browser,
  options: {
    width?: number;
    height?: number;
    javaScriptEnabled?: boolean;
    colorScheme?: 'light' | 'dark';
    /** Cookies (a signed-in session) to start with, from another context's `storageState()`. */
    storageState?: Awaited<ReturnType<BrowserContext['storageState']>>;
  } = {},
): Promise<Visitor> {
  // A private address of its own, so per-address rate limits apply per visitor.
  const address = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
  const context = await browser.newContext({
    baseURL: inject('siteUrl'),
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
    colorScheme: options.colorScheme ?? 'light',
    // What the load balancer in front of the site would add (see e2e-setup.ts).
    extraHTTPHeaders: { 'x-forwarded-for': address, 'x-forwarded-proto': 'http' },
    locale: 'en-GB',
    ...(options.storageState ? { storageState: options.storageState } : {}),
  });
  context.setDefaultTimeout(15_000);
  const problems: string[] = [];
  context.on('page', (p) => watch(p, problems));
  const page = await context.newPage();
  return { context, page, address, problems };
}

/** Records what a visitor should never meet: a script error, or something the CSP blocked. */
function watch(page: Page, problems: string[]): void {
  page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|hydration/i.test(message.text())) {
      problems.push(`${page.url()}: ${message.text()}`);
    }
  });
}

/** Closes a visitor's window, failing the test if any of its pages broke along the way. */
export async function leave(visitor: Visitor): Promise<void> {
  await visitor.context.close();
  if (visitor.problems.length) throw new Error(`problems in the browser:\n${visitor.problems.join('\n')}`);
}

/**
 * Saves a full-page screenshot as test-artifacts/screenshots/<name>.png (or just the window
 * with `fullPage: false`, where something sticks to its bottom edge, like the cookie banner).
 */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // From the top, so the sticky header sits where it belongs in the stitched image.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({
    path: path.join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: options.fullPage ?? true,
  });
}

/** Waits until the page's JavaScript has taken over (the root layout marks it). */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForSelector('html[data-hydrated]', { state: 'attached' });
}

export const uniqueEmail = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.test`;

/** A date of birth that makes someone exactly `years` old today (minus `days` more). */
export function dateOfBirth(years: number, days = 0): string {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

/**
 * An adult's account made through the site's /api, as the sign-up page makes one (its
 * address still to confirm); answers the address.
 */
export async function signUpThroughApi(person: {
  name: string;
  password: string;
  emailLabel: string;
  age: number;
}): Promise<string> {
  const email = uniqueEmail(person.emailLabel);
  const client = new TestClient(inject('siteUrl'));
  await client.refreshCsrf();
  const res = await client.post('/api/auth/sign-up', {
    name: person.name,
    email,
    password: person.password,
    dateOfBirth: dateOfBirth(person.age),
    acceptPolicyVersion: POLICY_VERSION,
  });
  if (res.status !== 202) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  return email;
}

/** The site link in the newest mail to `address` whose subject matches. */
export async function emailedLink(address: string, subject: RegExp): Promise<string> {
  const mail = await waitForMail(address, subject, 15_000);
  const site = inject('siteUrl');
  const link = mail.text
    .match(/https?:\/\/\S+/g)
    ?.find((url) => url.startsWith(`${site}/`) && url.includes('token='));
  if (!link) throw new Error(`no site link with a token in "${mail.subject}"`);
  return link;
}

/** Navigation timing of the current page, and when the app became interactive. */
export async function pageTimings(page: Page) {
  await hydrated(page);
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      ttfbMs: Math.round(nav.responseStart),
      firstContentfulPaintMs: paint ? Math.round(paint.startTime) : null,
      domInteractiveMs: Math.round(nav.domInteractive),
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
      hydratedMs: Number(document.documentElement.dataset.hydratedAt),
      loadMs: Math.round(nav.loadEventEnd),
      transferKb: Math.round(
        (performance.getEntriesByType('resource') as { transferSize: number }[]).reduce(
          (sum, r) => sum + r.transferSize,
          nav.transferSize as number,
        ) / 1024,
      ),
    };
  });
}

/** The `name` of the focused form field, if a field has focus. */
export function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('name') ?? null);
}

/** What has keyboard focus, and whether a focus ring shows on it. */
export function focusInfo(page: Page): Promise<{ tag: string; name: string; text: string; ring: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'body', name: '', text: '', ring: false };
    const style = getComputedStyle(el);
    return {
      tag: String(el.tagName).toLowerCase(),
      name: el.getAttribute('name') ?? '',
      text: String(el.textContent ?? '')
        .trim()
        .slice(0, 40),
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    };
  });
}

/** Turns off the browser's own form checks, so the server's answer can be seen. */
export async function skipBrowserValidation(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const form of document.querySelectorAll('form')) form.setAttribute('novalidate', '');
  });
}

/** Picks a value the page does not offer in a select, as a stale or tampered form would send. */
export async function forceSelectValue(page: Page, name: string, value: string): Promise<void> {
  await page.evaluate(
    ([field, v]: [string, string]) => {
      const select = document.querySelector(`select[name="${field}"]`);
      select.add(new Option(v, v));
      select.value = v;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [name, value] as [string, string],
  );
}

/** The page's background colour, as computed. */
export function bodyBackground(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

/** How wide the document is against the viewport (more means sideways scrolling). */
export function documentWidth(page: Page): Promise<{ scrollWidth: number; viewport: number }> {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
  }));
}
