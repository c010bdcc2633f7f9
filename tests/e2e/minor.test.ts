// D-MINOR in the browser: a 15-year-old signs up with a parent's address, is held on the
// waiting page until the parent opens the emailed link and agrees, then goes on by
// themselves; someone under 13 is refused before anything is sent.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailsTo } from '../support/mail.ts';
import {
  dateOfBirth,
  emailedLink,
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  skipBrowserValidation,
  uniqueEmail,
} from '../support/e2e-browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const PASSWORD = 'skateboard volcano pancake';

describe('[D-MINOR] a 15-year-old', () => {
  it('is held on the waiting page until their parent confirms by the emailed link, then continues', async () => {
    const teenEmail = uniqueEmail('teen');
    const parentEmail = uniqueEmail('parent');
    const teen = await newVisitor(browser);
    const { page } = teen;

    await page.goto('/sign-up');
    await hydrated(page);
    await page.getByLabel('Your name').fill('Sam Young');
    await page.getByLabel('Email address').fill(teenEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    expect(await page.getByTestId('parent-consent').count()).toBe(0);
    await page.getByLabel('Date of birth').fill(dateOfBirth(15));
    // Being 15 brings up the parent's address, with words about consent.
    const consent = page.getByTestId('parent-consent');
    await consent.waitFor();
    expect(await consent.textContent()).toContain('a parent or guardian needs to agree');
    await page.getByLabel("Parent or guardian's email address").fill(parentEmail);
    await page.getByLabel(/I have read the privacy policy/).check();
    await screenshot(page, 'sign-up-minor');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL('**/check-email?for=minor');
    await page.getByText('We also emailed your parent or guardian').waitFor();

    // Their own address is confirmed as usual; signing in leads to the waiting page.
    await page.goto(await emailedLink(teenEmail, /Confirm your email/));
    await page.getByText('Your email address is confirmed').waitFor();
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(teenEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/waiting');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Waiting for your parent or guardian',
    );
    await hydrated(page);
    await screenshot(page, 'waiting');

    // Nothing else opens while waiting: the account pages send them back.
    const elsewhere = await teen.context.newPage();
    await elsewhere.goto('/account');
    await elsewhere.waitForURL('**/waiting');
    expect(await elsewhere.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    await elsewhere.close();

    // The parent, on their own device, reads what they agree to, then agrees.
    const parent = await newVisitor(browser);
    const consentLink = await emailedLink(parentEmail, /would like to use Clipwise/);
    await parent.page.goto(consentLink);
    expect(await parent.page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Your child would like to use Clipwise',
    );
    await parent.page.getByText('What you are agreeing to').waitFor();
    await screenshot(parent.page, 'parental-consent');
    // Consent is an explicit act: the button alone is not enough.
    await skipBrowserValidation(parent.page);
    await parent.page.getByRole('button', { name: 'Give consent' }).click();
    await parent.page.getByText('Tick the box to give your consent.').waitFor();
    await parent.page.getByLabel(/I am this child's parent or legal guardian/).check();
    await parent.page.getByRole('button', { name: 'Give consent' }).click();
    await parent.page.getByText('Thank you, consent given').waitFor();
    await leave(parent);

    // The waiting page notices by itself and moves on.
    await page.waitForURL('**/create', { timeout: 20_000 });
    await page.goto('/account');
    expect(await page.getByLabel('Name').inputValue()).toBe('Sam Young');
    await leave(teen);
  });
});

describe('[D-MINOR] someone under 13', () => {
  it('is refused on the page, and by the API when the page cannot check (no JavaScript)', async () => {
    const email = uniqueEmail('child');
    // With JavaScript: refused as soon as the date is in, and the form cannot be sent.
    const withJs = await newVisitor(browser);
    await withJs.page.goto('/sign-up');
    await hydrated(withJs.page);
    await withJs.page.getByLabel('Date of birth').fill(dateOfBirth(12, 300));
    await withJs.page.getByText("Sorry, you can't use Clipwise yet").waitFor();
    expect(await withJs.page.getByRole('button', { name: 'Create account' }).isDisabled()).toBe(true);
    await screenshot(withJs.page, 'sign-up-under-13');
    await leave(withJs);

    // Without JavaScript the form posts, and the API's refusal comes back in words.
    const noJs = await newVisitor(browser, { javaScriptEnabled: false });
    await noJs.page.goto('/sign-up');
    await noJs.page.getByLabel('Your name').fill('Kim Small');
    await noJs.page.getByLabel('Email address', { exact: true }).fill(email);
    await noJs.page.getByLabel('Password').fill(PASSWORD);
    await noJs.page.getByLabel('Date of birth').fill(dateOfBirth(12));
    await noJs.page.getByLabel("Parent or guardian's email address").fill(uniqueEmail('parent'));
    await noJs.page.getByLabel(/I have read the privacy policy/).check();
    await noJs.page.getByRole('button', { name: 'Create account' }).click();
    await noJs.page.getByText('You must be at least 13 years old to use Clipwise.').waitFor();
    // Nothing they typed is kept, not even in the page.
    expect(await noJs.page.getByLabel('Your name').inputValue()).toBe('');
    expect(await noJs.page.getByLabel('Email address', { exact: true }).inputValue()).toBe('');
    expect(await mailsTo(email)).toHaveLength(0);
    await leave(noJs);
  });
});
