// The privacy page publishes the retention table the code enforces (domain/retention-policy.ts).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { DAY } from '../../domain/time.ts';
import { launchChromium, leave, newVisitor, screenshot } from '../support/e2e-browser.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('privacy policy page', () => {
  it('[R-OUT-7D] [R-IN-30D] shows the retention figures of the policy table, 7 days for videos and 30 for uploads', async () => {
    // The figures the page must show are the table's, not literals in the test.
    const outputDays = RETENTION_POLICY.output.keepMs / DAY;
    const inputDays = RETENTION_POLICY.input.keepMs / DAY;
    expect([outputDays, inputDays]).toEqual([7, 30]);

    const visitor = await newVisitor(browser);
    const { page } = visitor;
    const res = await page.goto('/privacy');
    expect(res?.status()).toBe(200);
    // The site's own protections travel with every page.
    const csp = (await res!.allHeaders())['content-security-policy'] ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Privacy policy');

    const output = page.locator('tr[data-subject="output"]');
    expect(await output.locator('th').textContent()).toBe(RETENTION_POLICY.output.what);
    expect(await output.locator('td.duration').textContent()).toBe(`${outputDays} days`);
    expect(await output.locator('td').nth(1).textContent()).toBe(RETENTION_POLICY.output.period);

    const input = page.locator('tr[data-subject="input"]');
    expect(await input.locator('th').textContent()).toBe(RETENTION_POLICY.input.what);
    expect(await input.locator('td.duration').textContent()).toBe(`${inputDays} days`);

    // Every row of the table is on the page, each with its promise explained.
    for (const rule of Object.values(RETENTION_POLICY)) {
      const row = page.locator(`tr[data-subject="${rule.subject}"]`);
      expect(await row.getAttribute('data-promise')).toBe(rule.promise);
      const meaning = await page.locator(`#promise-${rule.subject} dd`).textContent();
      expect(meaning?.length).toBeGreaterThan(40);
    }
    expect(await page.locator('#promise-output dd').textContent()).toContain(`${outputDays} days`);
    expect(await page.locator('#promise-input dd').textContent()).toContain(`${inputDays} days`);

    await screenshot(page, 'privacy');
    await leave(visitor);
  });
});
