// A plan in a real browser (D-SUBSCRIPTION, R-NOCARD): a creator sees the plans, subscribes
// on Stripe Checkout's page (stripe-mock answers the Checkout Session; the browser is
// stopped at Stripe's address, where the card would be typed), and once Stripe's signed
// events arrive sees the plan active on the credits page with its invoice and the month's
// credits; opens Stripe's customer portal, switches plan, and cancels at period end.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Invoice, Payment, Subscription } from '../../db/entities/index.ts';
import { PURCHASE_PAGE_SIZE, findPlan } from '../../domain/billing.ts';
import { INVOICE_PAGE_SIZE } from '../../domain/subscription.ts';
import {
  hydrated,
  launchChromium,
  leave,
  newVisitor,
  screenshot,
  type Visitor,
} from '../support/e2e-browser.ts';
import { openE2eDb, type E2eDb } from '../support/e2e-db.ts';
import { signedInVisitor } from '../support/e2e-fixtures.ts';
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

describe("a creator's purchases and invoices, years of them", () => {
  it('show their newest page on the credits page, the older ones a link away', async () => {
    const visitor = await signedInVisitor(browser, db, { name: 'Olga Older' });
    const now = Date.now();
    const stripeId = (prefix: string, n: number) => `${prefix}_test_${visitor.account.id.slice(0, 8)}_${n}`;
    // One more than a page of each; the first is the oldest, and shows on the second page alone.
    const payments = Array.from({ length: PURCHASE_PAGE_SIZE + 1 }, (_, n) => {
      const createdAt = new Date(now - 86_400_000 * (PURCHASE_PAGE_SIZE + 1 - n));
      return {
        id: stripeId('cs', n),
        user: visitor.account.id,
        pack: 'starter',
        credits: 1000 + n,
        amount: 500,
        currency: 'usd',
        status: 'paid' as const,
        createdAt,
        paidAt: createdAt,
      };
    });
    const invoices = Array.from({ length: INVOICE_PAGE_SIZE + 1 }, (_, n) => {
      const createdAt = new Date(now - 30 * 86_400_000 * (INVOICE_PAGE_SIZE + 1 - n));
      return {
        id: stripeId('in', n),
        user: visitor.account.id,
        number: `OLD-${n}`,
        status: 'paid' as const,
        createdAt,
        updatedAt: createdAt,
      };
    });
    await db.orm.em.fork().insertMany(Payment, payments);
    await db.orm.em.fork().insertMany(Invoice, invoices);
    const { page } = visitor;
    const rows = (testid: string) => page.getByTestId(testid).locator('tbody tr');

    await page.goto('/credits');
    await page.getByTestId('purchases').waitFor();
    expect(await rows('purchases').count()).toBe(PURCHASE_PAGE_SIZE);
    expect(await rows('invoices').count()).toBe(INVOICE_PAGE_SIZE);
    await expect.poll(() => page.getByTestId('invoices').textContent()).not.toContain('OLD-0');

    await page.getByRole('link', { name: 'Older purchases' }).click();
    await page.waitForURL(/\/credits\/purchases\?cursor=/);
    await page.getByTestId('purchases').getByText('1,000', { exact: true }).waitFor();
    expect(await rows('purchases').count()).toBe(1);
    await page.getByRole('link', { name: 'Newest purchases' }).click();
    await page.waitForURL(/\/credits\/purchases$/);
    await page.getByTestId('purchases').getByText('1,020', { exact: true }).waitFor();
    expect(await rows('purchases').count()).toBe(PURCHASE_PAGE_SIZE);

    await page.goto('/credits');
    await page.getByRole('link', { name: 'Older invoices' }).click();
    await page.waitForURL(/\/credits\/invoices\?cursor=/);
    await page.getByTestId('invoices').getByText('OLD-0').waitFor();
    expect(await rows('invoices').count()).toBe(1);
    await leave(visitor);
  });
});
