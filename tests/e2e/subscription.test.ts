// A plan in a real browser (D-SUBSCRIPTION, R-NOCARD): a creator sees the plans, subscribes
// on Stripe Checkout's page (stripe-mock answers the Checkout Session; the browser is
// stopped at Stripe's address, where the card would be typed), and once Stripe's signed
// events arrive sees the plan active on the credits page with its invoice and the month's
// credits; opens Stripe's customer portal, switches plan, and cancels at period end.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Subscription } from '../../db/entities/index.ts';
import { findPlan } from '../../domain/billing.ts';
import {
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  type Visitor,
} from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import { answerCookieBanner, signInThroughPages } from '../support/e2e-studio.ts';
import type { TestPlatform } from '../support/platform.ts';
import { StripeSubscription, delivered } from '../support/stripe.ts';

let browser: Browser;
let db: E2eDb;
beforeAll(async () => {
  [browser, db] = await Promise.all([launchChromium(), openE2eDb()]);
});
afterAll(async () => {
  await browser?.close();
  await db?.close();
});

/** What the Stripe event helpers need of a platform: its Stripe settings and the API. */
const stripeSide = () =>
  ({
    config: db.config,
    fetch: (path: string, init?: RequestInit) => fetch(`${inject('apiUrl')}${path}`, init),
  }) as unknown as TestPlatform;

/**
 * Stripe's own pages are another site: the browser is stopped there, at the address
 * (stripe-mock's portal address is a placeholder host, so any https address is stopped).
 */
async function stopAtStripe(page: Page): Promise<void> {
  await page.route(/^https:\/\//, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<h1>Stripe</h1>' }),
  );
}

describe('[D-SUBSCRIPTION] a plan, from the site', () => {
  let creator: Visitor;
  let userId: string;
  let sub: StripeSubscription;
  const basic = findPlan('basic')!;

  beforeAll(async () => {
    const account = await db.account({ name: 'Pat Plan' });
    userId = account.id;
    creator = await newVisitor(browser);
    await signInThroughPages(creator.page, account);
    await answerCookieBanner(creator.page, 'essential');
    await stopAtStripe(creator.page);
  });
  afterAll(async () => {
    if (creator) await leave(creator);
  });

  it('shows the plans and subscribes on Stripe Checkout’s page (R-NOCARD)', async () => {
    const { page } = creator;
    await page.goto('/credits');
    await hydrated(page);
    await page.getByTestId('no-subscription').waitFor();
    await page.getByTestId('see-plans').click();
    await page.waitForURL('**/plans');
    await hydrated(page);
    expect(await page.locator('[data-testid="plans"] [data-plan]').count()).toBe(2);
    await screenshot(page, 'subscription-plans');
    await page.getByRole('button', { name: `Subscribe to ${basic.label}` }).click();
    await page.waitForURL(/^https:\/\/checkout\.stripe\.com\//);
    const row = await db.orm.em.fork().findOneOrFail(Subscription, { user: userId });
    expect(row).toMatchObject({ planId: 'basic', status: 'pending' });
    sub = new StripeSubscription(stripeSide(), row.id, row.checkoutSessionId, 'basic');
  });

  it('once Stripe’s events arrive, the credits page shows the plan active, its invoice and the month’s credits', async () => {
    const platform = stripeSide();
    expect(await delivered(platform, sub.checkoutCompleted())).toBe('forwarded');
    expect(await delivered(platform, sub.subscription('created', 0))).toBe('forwarded');
    expect(
      await delivered(platform, sub.invoice('paid', `in_e2e_${sub.subscriptionId.slice(0, 8)}`, 0)),
    ).toBe('forwarded');
    const { page } = creator;
    await page.goto('/credits');
    await hydrated(page);
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId('subscription').getAttribute('data-status');
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('active');
    await page.locator('[data-testid="invoices"] tbody tr').first().waitFor();
    expect(await page.getByTestId('balance').textContent()).toContain(String(basic.credits));
    const invoiceLink = page.locator('[data-testid="invoices"] a');
    expect(await invoiceLink.getAttribute('href')).toMatch(/^https:\/\/invoice\.stripe\.com\/i\//);
    await screenshot(page, 'subscription-active');
  });

  it('opens Stripe’s customer portal to manage the payment method', async () => {
    const { page } = creator;
    await page.getByRole('button', { name: 'Manage payment method' }).click();
    await page.waitForURL(/^https:\/\//);
  });

  it('switches plan from the plans page, prorated by Stripe', async () => {
    const { page } = creator;
    await page.goto('/plans');
    await hydrated(page);
    await page.locator('[data-plan="basic"] [data-testid="current-plan"]').waitFor();
    await page.getByRole('button', { name: /^Switch to / }).click();
    await page.waitForURL('**/credits?changed=1**');
    await page.getByTestId('plan-changed').waitFor();
  });

  it('cancels at period end: the plan runs until then, and says so', async () => {
    const { page } = creator;
    await hydrated(page);
    await page.getByRole('button', { name: 'Cancel subscription' }).click();
    await page.getByTestId('subscription-ending').waitFor();
    expect(await page.getByTestId('subscription-ending').textContent()).toContain(
      'nothing is charged after that',
    );
    const row = await db.orm.em.fork().findOneOrFail(Subscription, { id: sub.subscriptionId });
    expect(row.cancelRequestedAt).not.toBeNull();
    await screenshot(page, 'subscription-cancelled');
  });
});
