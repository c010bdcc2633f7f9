// The site for everyone: signing in with the keyboard alone, with visible focus; pages that
// fit a 375px phone without sideways scrolling; forms that work before (or without)
// JavaScript.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  documentWidth,
  focusInfo,
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  signUpThroughApi,
} from '../support/e2e-browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const PASSWORD = 'keyboard only passphrase';

const account = (name: string) =>
  signUpThroughApi({ name, password: PASSWORD, emailLabel: 'access', age: 35 });

describe('keyboard only', () => {
  it('signs in without a mouse, with a visible focus ring at every stop', async () => {
    const email = await account('Kay Board');
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await page.goto('/sign-in');
    await hydrated(page);

    // The first stop skips the header.
    await page.keyboard.press('Tab');
    const first = await focusInfo(page);
    expect(first.text).toBe('Skip to content');
    expect(first.ring).toBe(true);

    const stops: string[] = [];
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      const now = await focusInfo(page);
      expect(now.ring, `focus ring on ${now.tag} ${now.name || now.text}`).toBe(true);
      stops.push(now.name || now.text);
      if (now.name === 'email') break;
    }
    expect(stops.at(-1)).toBe('email');
    // Only the header's links come before the form.
    expect(stops.length).toBeLessThanOrEqual(5);

    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    expect((await focusInfo(page)).name).toBe('password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    // Signing in lands on the create page, the creator's home (#lib/nav.ts).
    await page.waitForURL('**/create');
    await page.goto('/account');
    expect(await page.getByLabel('Name').inputValue()).toBe('Kay Board');
    await leave(visitor);
  });
});

describe('on a phone', () => {
  it('shows every page at 375px without horizontal scrolling, signed out and in', async () => {
    const email = await account('Pat Phone');
    const visitor = await newVisitor(browser, { width: 375, height: 812 });
    const { page } = visitor;
    for (const path of ['/sign-in', '/', '/sign-up', '/privacy', '/reset-password', '/check-email']) {
      await page.goto(path);
      await hydrated(page);
      const { scrollWidth, viewport } = await documentWidth(page);
      expect(viewport, path).toBe(375);
      expect(scrollWidth, `${path} is ${scrollWidth}px wide`).toBeLessThanOrEqual(viewport);
      if (path === '/sign-in') await screenshot(page, 'sign-in-375');
    }
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/create');
    for (const path of ['/account', '/account/security']) {
      await page.goto(path);
      await hydrated(page);
      const { scrollWidth, viewport } = await documentWidth(page);
      expect(scrollWidth, `${path} is ${scrollWidth}px wide`).toBeLessThanOrEqual(viewport);
    }
    await screenshot(page, 'account-security-375');
    await leave(visitor);
  });
});

describe('without JavaScript', () => {
  it('renders readable pages and signs in, changes a preference and signs out with plain form posts', async () => {
    const email = await account('Noel Script');
    const visitor = await newVisitor(browser, { javaScriptEnabled: false });
    const { page } = visitor;
    await page.goto('/');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(
      'Make videos from a prompt.',
    );

    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('That email and password do not match.').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/create');
    await page.goto('/account');
    expect(await page.getByLabel('Name').inputValue()).toBe('Noel Script');

    await page.getByLabel('Theme').selectOption('light');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Preferences saved.').waitFor();
    expect(await page.locator('.app').getAttribute('data-theme')).toBe('light');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.has('signedOut'));
    await page.getByText('You are signed out.').waitFor();
    await page.goto('/account');
    await page.waitForURL('**/sign-in?next=%2Faccount');
    await leave(visitor);
  });
});

describe('behind the load balancer', () => {
  it('refuses an API call that arrives without the client address header, in JSON, and serves one with it', async () => {
    const site = inject('siteUrl');
    const bare = await fetch(`${site}/api/auth/session`, { headers: { 'x-forwarded-proto': 'http' } });
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as { error: { code: string } }).error.code).toBe('client_address_missing');
    const proxied = await fetch(`${site}/api/auth/session`, {
      headers: { 'x-forwarded-for': '10.9.8.7', 'x-forwarded-proto': 'http' },
    });
    expect(proxied.status).toBe(200);
  });
});
