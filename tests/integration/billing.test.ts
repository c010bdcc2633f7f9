import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Payment, User } from '../../db/entities/index.ts';
import { creditBalance, writeLedger } from '../../stores/billing.ts';
import { findPack } from '../../domain/billing.ts';
import { credits } from '../../domain/contracts/billing.ts';
import { signedIn } from '../support/accounts.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { checkoutCompleted, deliverStripeEvent, type StripeEvent } from '../support/stripe.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();

const deliver = (event: StripeEvent | Record<string, unknown>, secret?: string) =>
  deliverStripeEvent(platform, event, secret);
const completed = checkoutCompleted;

describe('my credits', () => {
  it('shows the balance and the ledger behind it, newest first, page by page', async () => {
    const { user, client } = await signedIn(platform, { credits: 30 });
    for (const [i, amount] of [5, 7].entries()) {
      await writeLedger(em(), {
        userId: user.id,
        kind: 'purchase',
        credits: amount,
        reference: `test:${user.id}:${i}`,
      });
    }
    const first = await client.get('/api/credits?limit=2');
    expect(first.status).toBe(200);
    const page = credits.parse(await json(first));
    expect(page.balance).toBe(42);
    expect(page.entries.map((e) => [e.kind, e.amount])).toEqual([
      ['purchase', 7],
      ['purchase', 5],
    ]);
    expect(page.nextBefore).toBe(page.entries[1]!.id);
    const rest = credits.parse(
      await json(await client.get(`/api/credits?limit=2&before=${page.nextBefore}`)),
    );
    expect(rest.entries.map((e) => [e.kind, e.amount])).toEqual([['grant', 30]]);
    expect(rest.nextBefore).toBeNull();
  });
});

describe('buying credits with Stripe Checkout', () => {
  it('adds a paid pack’s credits once, however often Stripe delivers the event', async () => {
    const { user, client } = await signedIn(platform);
    const checkout = await client.post('/api/billing/checkout', { packId: 'starter' });
    expect(checkout.status).toBe(201);
    const { sessionId, url } = await json(checkout);
    expect(sessionId).toBeTruthy();
    expect(url).toBeTruthy();
    expect(await creditBalance(em(), user.id)).toBe(0);

    const pack = findPack('starter')!;
    expect((await deliver(completed('evt_a1', sessionId))).status).toBe(200);
    expect(await creditBalance(em(), user.id)).toBe(pack.credits);
    // The same event again, and another event for the same session: nothing more.
    expect(await json(await deliver(completed('evt_a1', sessionId)))).toMatchObject({ duplicate: true });
    await deliver(completed('evt_a2', sessionId));
    expect(await creditBalance(em(), user.id)).toBe(pack.credits);
    const payment = await em().findOneOrFail(Payment, { id: sessionId });
    expect(payment).toMatchObject({ status: 'paid', amount: pack.amount, currency: 'usd', user: user.id });
    expect((await json(await client.get(`/api/billing/payments/${sessionId}`))).status).toBe('paid');
  });

  it('handles again an event whose first delivery failed half-way (Stripe retries it), and only once it succeeded is it a repeat', async () => {
    const { user, client } = await signedIn(platform);
    const { sessionId } = await json(await client.post('/api/billing/checkout', { packId: 'starter' }));
    const event = completed(`evt_retry_${sessionId}`, sessionId);
    // The delivery fails at the ledger, after the event's row was written in its
    // transaction (as a database restart or a crash would cut it short).
    const fn = `fail_ledger_${sessionId
      .slice(-12)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')}`;
    await em().execute(
      `create function ${fn}() returns trigger language plpgsql as $$
       begin if new.reference = 'stripe:${sessionId}' then raise exception 'cut short'; end if; return new; end $$`,
    );
    await em().execute(
      `create trigger ${fn} before insert on credit_ledger for each row execute function ${fn}()`,
    );
    try {
      expect((await deliver(event)).status).toBe(500);
    } finally {
      await em().execute(`drop trigger ${fn} on credit_ledger`);
      await em().execute(`drop function ${fn}()`);
    }
    expect(await creditBalance(em(), user.id)).toBe(0);
    expect(await json(await deliver(event))).toMatchObject({ outcome: 'credited' });
    expect(await json(await deliver(event))).toMatchObject({ duplicate: true });
    expect(await creditBalance(em(), user.id)).toBe(findPack('starter')!.credits);
  });

  it('lists my purchase history, newest first, and nobody else’s', async () => {
    const { client } = await signedIn(platform);
    const { sessionId } = await json(await client.post('/api/billing/checkout', { packId: 'creator' }));
    await deliver(completed(`evt_hist_${sessionId}`, sessionId));
    const history = await json(await client.get('/api/billing/payments'));
    expect(history.payments).toMatchObject([{ id: sessionId, pack: 'creator', status: 'paid' }]);
    const other = await signedIn(platform);
    expect((await json(await other.client.get('/api/billing/payments'))).payments).toEqual([]);
  });

  it('refuses a webhook whose signature does not match', async () => {
    const res = await deliver(completed('evt_forged', 'cs_forged'), 'whsec_not_the_real_secret_000000');
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('invalid_signature');
  });

  it('adds nothing for an unpaid session', async () => {
    const { user, client } = await signedIn(platform);
    const { sessionId } = await json(await client.post('/api/billing/checkout', { packId: 'creator' }));
    await deliver(completed(`evt_unpaid_${sessionId}`, sessionId, false));
    expect(await creditBalance(em(), user.id)).toBe(0);
  });

  it('[R-NOCARD] never stores a card number: no column for one, and no card-like number anywhere after a purchase', async () => {
    const columns = await em().execute<{ table_name: string; column_name: string }[]>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public'`,
    );
    expect(columns.filter((c) => /card|pan\b|cvc|cvv|iban/i.test(c.column_name))).toEqual([]);
    // What other tests typed into free text (the API fuzz sends random digits as names) is
    // not the platform's doing: the purchase must add nothing to what is there before it.
    const before = await cardLikeValues();
    // The scan finds a card number where a leak would put it (planted, then taken out)...
    const { user } = await signedIn(platform);
    await em().nativeUpdate(User, { id: user.id }, { name: 'Ada 4242424242424242' });
    expect(await cardLikeValues()).toContain('users.name 4242424242424242');
    await em().nativeUpdate(User, { id: user.id }, { name: 'Ada Example' });
    // ...and a real purchase, paid and delivered by Stripe's event, leaves none.
    const { client } = await signedIn(platform);
    const { sessionId } = await json(await client.post('/api/billing/checkout', { packId: 'studio' }));
    expect((await deliver(completed(`evt_card_${sessionId}`, sessionId))).status).toBe(200);
    expect((await cardLikeValues()).filter((found) => !before.includes(found))).toEqual([]);
  });
});

/**
 * Every text-like value in the database, searched for a standalone 13–19 digit number that
 * looks like a card: a network's leading digit (2–6) and a valid Luhn check. Digits inside a
 * larger token (a provider's `cgt-20261122031152-ab12` task id carries its creation time) and
 * millisecond times, which begin with 1, are not cards. Answers where each one was found, and it.
 */
async function cardLikeValues(): Promise<string[]> {
  const luhn = (digits: string) =>
    digits
      .split('')
      .reverse()
      .map(Number)
      .reduce((sum, d, i) => sum + (i % 2 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0) %
      10 ===
    0;
  const textColumns = await em().execute<{ table_name: string; column_name: string }[]>(
    `select table_name, column_name from information_schema.columns
      where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json')`,
  );
  const found: string[] = [];
  for (const { table_name, column_name } of textColumns) {
    const rows = await em().execute<{ v: string | null }[]>(
      `select "${column_name}"::text as v from "${table_name}"`,
    );
    for (const { v } of rows) {
      for (const match of v?.match(/(?<![\w-])[2-6]\d{12,18}(?![\w-])/g) ?? [])
        if (luhn(match)) found.push(`${table_name}.${column_name} ${match}`);
    }
  }
  return found;
}
