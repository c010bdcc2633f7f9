// An adult creator's first visit, in a real browser against the production build: sign up
// through the pages, confirm the emailed link, sign in, change preferences that stick, and
// manage where the account is signed in. Each test has an account of its own (made through
// the API or in the database), so it passes alone and in any order.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bodyBackground,
  dateOfBirth,
  emailedLink,
  focusedName,
  forceSelectValue,
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  signUpThroughApi,
  skipBrowserValidation,
  uniqueEmail,
} from '../support/e2e-browser.ts';
import { openE2eDb, TEST_PASSWORD, type E2eDb } from '../support/e2e-db.ts';
import { signedInVisitor, visitorForTest } from '../support/e2e-fixtures.ts';

let browser: Browser;
let db: E2eDb;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

const NAME = 'Ada Lovelace';
/** The password typed on the sign-up page (accounts made in the database have TEST_PASSWORD). */
const PASSWORD = 'analytical engine notes';

async function signIn(page: Page, email: string, password = TEST_PASSWORD) {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Ada, verified, signed in on a window of her own (the cookie banner left unanswered). */
const signedInAda = (preferences: Record<string, unknown> = {}) =>
  signedInVisitor(browser, db, { name: NAME, preferences }, { cookies: null });

describe('an adult creator', () => {
  it('signs up through the pages and is asked to check their email', async () => {
    const email = uniqueEmail('adult');
    const { page } = await visitorForTest(browser);
    await page.goto('/');
    await hydrated(page);
    await screenshot(page, 'landing');
    await page.getByRole('link', { name: 'Create your account' }).click();
    await page.waitForURL('**/sign-up');

    await page.getByLabel('Your name').fill(NAME);
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Date of birth').fill(dateOfBirth(30));
    // An adult is not asked about a parent.
    expect(await page.getByTestId('parent-consent').count()).toBe(0);
    await page.getByLabel(/I have read the privacy policy/).check();
    await screenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL('**/check-email?for=verify');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');
    await screenshot(page, 'check-email');
  });

  it('confirms the address with the emailed link', async () => {
    // Signed up as the sign-up page does it, the address still to confirm.
    const email = await signUpThroughApi({ name: NAME, password: PASSWORD, emailLabel: 'adult', age: 30 });
    const { page } = await visitorForTest(browser);
    const link = await emailedLink(email, /Confirm your email/);
    expect(link.startsWith(`${new URL(inject('siteUrl')).origin}/verify-email?token=`)).toBe(true);
    await page.goto(link);
    // The page posts the token by itself once it is interactive.
    await page.getByText('Your email address is confirmed').waitFor();
    await screenshot(page, 'verify-email');
    // The token is spent: the same link again is refused in words, not a stack trace.
    const again = await newVisitor(browser);
    await again.page.goto(link);
    await again.page.getByText('This link is invalid or has expired').waitFor();
    await leave(again);
    // The confirmed address leads on to signing in.
    await page.getByRole('link', { name: 'Sign in to start' }).click();
    await page.waitForURL('**/sign-in');
  });

  it('signs in and sees their account', async () => {
    const { email } = await db.account({ name: NAME });
    const { page } = await visitorForTest(browser);
    await page.goto('/sign-in');
    // This deployment has no Google client configured: GET /api/auth/providers says so.
    expect(await page.getByRole('link', { name: 'Sign in with Google' }).count()).toBe(0);
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    // Signing in lands on the create page, the creator's home (#lib/nav.ts).
    await page.waitForURL('**/create');
    await page.goto('/account');
    expect(await page.getByLabel('Name').inputValue()).toBe(NAME);
    expect(await page.getByLabel('Email address').inputValue()).toBe(email);
    // The header shows who is signed in, and the menu offers the account.
    expect(await page.locator('header .who').textContent()).toBe(NAME);
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).count(),
    ).toBe(1);
    await screenshot(page, 'account');
  });

  it('changes preferences, and they stick', async () => {
    const { page } = await signedInAda();
    await page.goto('/account');
    await hydrated(page);
    const app = page.locator('.app');
    expect(await app.getAttribute('data-theme')).toBe('system');

    await page.getByLabel('Theme').selectOption('dark');
    await page.getByLabel('Model').selectOption('local-v1');
    await page.getByLabel('Length').selectOption('8');
    await page.getByLabel('Aspect ratio').selectOption('9:16');
    await page.getByLabel('Resolution').selectOption('1080p');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Preferences saved.').waitFor();
    // The whole site switches to the dark theme at once, though the browser prefers light.
    await page.locator('.app[data-theme="dark"]').waitFor();
    expect(await bodyBackground(page)).toBe('rgb(11, 11, 18)');

    // A fresh load (and another device) sees what was saved.
    await page.reload();
    expect(await page.getByLabel('Theme').inputValue()).toBe('dark');
    expect(await page.getByLabel('Model').inputValue()).toBe('local-v1');
    expect(await page.getByLabel('Length').inputValue()).toBe('8');
    expect(await page.getByLabel('Aspect ratio').inputValue()).toBe('9:16');
    expect(await page.getByLabel('Resolution').inputValue()).toBe('1080p');
    expect(await app.getAttribute('data-theme')).toBe('dark');
    await screenshot(page, 'account-dark');
  });

  it('refuses a default the model cannot do, next to the field', async () => {
    // Defaults saved before: the local model, 8 seconds.
    const { page } = await signedInAda({
      generationDefaults: { model: 'local-v1', durationSeconds: 8, aspectRatio: '9:16', resolution: '1080p' },
    });
    await page.goto('/account');
    await hydrated(page);
    expect(await page.getByLabel('Length').inputValue()).toBe('8');
    // Outside the choice list, as a tampered or stale form would send it.
    await forceSelectValue(page, 'durationSeconds', '7');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    const length = page.getByLabel('Length');
    await page.locator('select[name="durationSeconds"][aria-invalid="true"]').waitFor();
    const describedBy = (await length.getAttribute('aria-describedby')) ?? '';
    const error = page.locator(`[id="${describedBy.split(' ').at(-1)}"]`);
    expect(await error.textContent()).toContain('Clipwise Local makes videos of');
    // Focus goes to the field at fault.
    expect(await focusedName(page)).toBe('durationSeconds');
    await page.reload();
    expect(await page.getByLabel('Length').inputValue()).toBe('8');
  });

  it('sees where they are signed in, signs one device out, then every device', async () => {
    const {
      page,
      account: { email },
    } = await signedInAda();
    const otherDevice = await visitorForTest(browser);
    await signIn(otherDevice.page, email);
    await otherDevice.page.waitForURL('**/create');

    await page.goto('/account/security');
    const sessions = page.getByTestId('session');
    expect(await sessions.count()).toBe(2);
    expect(await page.locator('[data-testid="session"][data-current="true"]').count()).toBe(1);
    expect(await page.locator('[data-testid="session"][data-current="true"]').textContent()).toContain(
      'This device',
    );
    // Each device is described from its browser, with the address the site saw.
    expect(await page.locator('[data-testid="session"][data-current="false"]').textContent()).toContain(
      otherDevice.address,
    );
    await screenshot(page, 'account-security');

    // Sign the other device out from here.
    await page
      .locator('[data-testid="session"][data-current="false"]')
      .getByRole('button', { name: /Sign out/ })
      .click();
    await page.getByText('That device is signed out.').waitFor();
    expect(await sessions.count()).toBe(1);
    await otherDevice.page.goto('/account');
    await otherDevice.page.waitForURL('**/sign-in?next=%2Faccount');

    // Back on the other device, then out everywhere.
    await signIn(otherDevice.page, email);
    await otherDevice.page.waitForURL('**/create');
    await page.reload();
    expect(await sessions.count()).toBe(2);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.waitForURL('**/sign-in?everywhere=1');
    await page.getByText('You are signed out on every device.').waitFor();
    await page.goto('/account');
    await page.waitForURL('**/sign-in?next=%2Faccount');
    await otherDevice.page.goto('/account/security');
    await otherDevice.page.waitForURL('**/sign-in?next=%2Faccount%2Fsecurity');
  });

  it('gets a plain answer for a wrong password, and signs in again with the right one', async () => {
    const { email } = await db.account({ name: NAME });
    const { page } = await visitorForTest(browser);
    await signIn(page, email, 'not the password at all');
    await page.getByText('That email and password do not match.').waitFor();
    // The address stays filled in; the password does not.
    expect(await page.getByLabel('Email address').inputValue()).toBe(email);
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/create');
  });
});

describe('the sign-up form', () => {
  it('shows the API’s field problems next to each field, tied with aria-describedby', async () => {
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await page.goto('/sign-up');
    await hydrated(page);
    // Let the server judge: skip the browser's own checks.
    await skipBrowserValidation(page);
    await page.getByLabel('Your name').fill('Bo');
    await page.getByLabel('Email address').fill('not-an-address');
    await page.getByLabel('Password').fill('short');
    await page.getByLabel('Date of birth').fill(dateOfBirth(40));
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByText('Please check the highlighted fields.').waitFor();
    for (const [label, words] of [
      ['Email address', 'Enter a valid email address.'],
      ['Password', 'Use at least 10 characters.'],
    ] as const) {
      const field = page.getByLabel(label);
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(' ');
      const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
      expect(texts.join(' ')).toContain(words);
    }
    const policy = page.getByLabel(/I have read the privacy policy/);
    expect(await policy.getAttribute('aria-invalid')).toBe('true');
    // What was typed comes back, except the password.
    expect(await page.getByLabel('Your name').inputValue()).toBe('Bo');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    // Focus is on the first field at fault.
    expect(await focusedName(page)).toBe('email');
    await screenshot(page, 'sign-up-errors');
    await leave(visitor);
  });
});
