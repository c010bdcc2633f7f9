// Getting back in and keeping details right: a forgotten password reset through the
// emailed link, and a creator correcting their own name and address (D-RECTIFY).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emailedLink,
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  uniqueEmail,
  signUpThroughApi,
} from '../support/e2e-browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const PASSWORD = 'first password of many';

const account = (name: string) =>
  signUpThroughApi({ name, password: PASSWORD, emailLabel: 'recovery', age: 28 });

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('a forgotten password', () => {
  it('is reset through the emailed link, which works once', async () => {
    const email = await account('Rita Reset');
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await page.goto('/sign-in');
    await hydrated(page);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/reset-password');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.waitForURL('**/check-email?for=reset');

    const link = await emailedLink(email, /Reset your password/);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await screenshot(page, 'reset-password');
    const newPassword = 'second password, longer';
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL('**/sign-in?reset=1');
    await page.getByText('Your password is changed.').waitFor();

    await signIn(page, email, PASSWORD);
    await page.getByText('That email and password do not match.').waitFor();
    await signIn(page, email, newPassword);
    await page.waitForURL('**/create');

    // The link is spent.
    await page.goto(link);
    await page.getByLabel('New password').fill('a third password here');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('This link is invalid or has expired').waitFor();
    // The page still knows the token it came with, so the form stays the right one.
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose a new password');
    await leave(visitor);
  });
});

describe('[D-RECTIFY] a creator', () => {
  it('corrects their name and address; the new address is confirmed by its own emailed link', async () => {
    const email = await account('Rob Typo');
    const corrected = uniqueEmail('corrected');
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await signIn(page, email, PASSWORD);
    await page.waitForURL('**/create');
    await page.goto('/account');
    await hydrated(page);

    await page.getByLabel('Name').fill('Rob Tipo');
    await page.getByLabel('Email address').fill(corrected.toUpperCase());
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText(`Saved. We sent a link to ${corrected}`).waitFor();
    // Saved, and shown everywhere at once.
    expect(await page.locator('header .who').textContent()).toBe('Rob Tipo');
    await page.getByText('Please confirm your email address').waitFor();

    await page.goto(await emailedLink(corrected, /Confirm your email/));
    await page.getByText('Your email address is confirmed').waitFor();
    await page.goto('/account');
    expect(await page.getByLabel('Email address').inputValue()).toBe(corrected);
    expect(await page.getByText('Please confirm your email address').count()).toBe(0);

    // The old address no longer signs in; the new one does.
    const other = await newVisitor(browser);
    await signIn(other.page, email, PASSWORD);
    await other.page.getByText('That email and password do not match.').waitFor();
    await signIn(other.page, corrected, PASSWORD);
    await other.page.waitForURL('**/create');
    await leave(other);
    await leave(visitor);
  });
});
