// Two-factor authentication through the pages: set-up shows the otpauth link and the key
// as text, then the recovery codes once; the next sign-in asks for a code before anything
// else opens, and a recovery code gets in.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECOVERY_CODE_COUNT } from '../../domain/accounts.ts';
import { totp } from '../support/accounts.ts';
import {
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

const PASSWORD = 'two factors are better';

describe('[S-MFA] two-factor authentication', () => {
  it('is set up from the security page, then asked for at sign-in; a recovery code gets in once', async () => {
    const email = await signUpThroughApi({
      name: 'Tess Factor',
      password: PASSWORD,
      emailLabel: 'mfa',
      age: 41,
    });

    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await page.goto('/sign-in?next=%2Faccount%2Fsecurity');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/account/security');
    await hydrated(page);

    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const uri = (await page.getByTestId('otpauth-url').textContent()) ?? '';
    expect(uri).toMatch(/^otpauth:\/\/totp\/.+\?.*secret=[A-Z2-7]+/);
    const secret = ((await page.getByTestId('mfa-secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    await screenshot(page, 'mfa-setup');

    // A wrong code is refused next to the field, and the key stays on screen.
    await page.getByLabel('Enter the 6-digit code the app shows').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('That code is not right').first().waitFor();
    const codeField = page.getByLabel('Enter the 6-digit code the app shows');
    expect(await codeField.getAttribute('aria-invalid')).toBe('true');
    expect(
      await page.locator(`[id="${await codeField.getAttribute('aria-describedby')}"]`).textContent(),
    ).toContain('That code is not right');
    expect(((await page.getByTestId('mfa-secret').textContent()) ?? '').replace(/\s+/g, '')).toBe(secret);

    await page.getByLabel('Enter the 6-digit code the app shows').fill(await totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByTestId('recovery-codes').locator('code');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(RECOVERY_CODE_COUNT);
    const recoveryCode = (await codes.first().textContent())!.trim();
    await screenshot(page, 'mfa-recovery-codes');

    // Shown once: a fresh load says two-factor is on, without the codes.
    await page.reload();
    await page.getByText("You'll be asked for a code from your authenticator app").waitFor();
    expect(await page.getByTestId('recovery-codes').count()).toBe(0);

    // Next sign-in: the code comes before anything else.
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto('/sign-in');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/mfa');
    await page.goto('/account/security');
    await page.waitForURL('**/mfa?next=%2Faccount%2Fsecurity');
    await hydrated(page);
    await screenshot(page, 'mfa');

    // A wrong recovery code is refused next to its field; the right one goes where they were headed.
    await page.getByText('Lost your phone? Use a recovery code').click();
    await page.getByLabel('Recovery code').fill('not-a-real-code');
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await page.locator('input[name="recoveryCode"][aria-invalid="true"]').waitFor();
    await page.getByLabel('Recovery code').fill(recoveryCode);
    await page.getByRole('button', { name: 'Use recovery code' }).click();
    await page.waitForURL('**/account/security');
    await page.getByText("You'll be asked for a code from your authenticator app").waitFor();
    // Spent: the same recovery code does not work twice (checked through the API's answer).
    expect(await page.getByRole('banner').getByText('Enter your code').count()).toBe(0);
    await leave(visitor);
  });
});
