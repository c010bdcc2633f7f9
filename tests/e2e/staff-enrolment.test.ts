// The first admin in a real browser (S-MFA): `npm run admin -- create-admin` prints a
// one-time link; on the site it opens the password page, then the new admin signs in,
// is sent to the security page before any staff page opens, turns two-factor on, and at
// the next sign-in passes the code before reaching the staff area.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generate } from 'otplib';
import { runScript } from '../support/cli.ts';
import { hydrated, launchChromium, leave, newVisitor, uniqueEmail } from '../support/e2e-browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const PASSWORD = 'the first admin chose this';

describe('[S-MFA] the first admin', () => {
  it('enrols through the printed link: a password, then two-factor, then the staff area', async () => {
    const email = uniqueEmail('first-admin');
    const run = await runScript(
      'scripts/admin.ts',
      ['create-admin', '--email', email, '--name', 'Ada Admin'],
      {
        ...inject('stackEnv'),
        PUBLIC_WEB_URL: inject('siteUrl'),
      },
    );
    expect(run.code).toBe(0);
    const link = /(http\S+\/reset-password\?token=\S+)/.exec(run.stdout)?.[1];
    expect(link?.startsWith(inject('siteUrl'))).toBe(true);

    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await page.goto(link!);
    await hydrated(page);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL('**/sign-in?reset=1');

    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname !== '/sign-in');
    await page.goto('/staff');
    await page.getByRole('heading', { name: 'Turn on two-factor authentication' }).waitFor();
    await page.getByRole('link', { name: 'Set it up in your security settings' }).click();
    await page.waitForURL('**/account/security');
    await hydrated(page);
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = ((await page.getByTestId('mfa-secret').textContent()) ?? '').replace(/\s+/g, '');
    await page.getByLabel('Enter the 6-digit code the app shows').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').locator('code').first().waitFor();

    // A new sign-in: the code is asked for before the staff area opens.
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.goto('/sign-in?next=%2Fstaff');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/mfa?next=%2Fstaff');
    await hydrated(page);
    // The code of the next 30-second step: the one that turned two-factor on cannot be replayed.
    const next = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    await page.getByLabel('6-digit code').fill(next);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/staff');
    await page.getByRole('navigation', { name: 'Staff' }).waitFor();
    expect(await page.getByText('Turn on two-factor authentication').count()).toBe(0);
    await leave(visitor);
  });
});
