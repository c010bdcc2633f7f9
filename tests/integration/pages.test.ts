// Lists a page at a time (domain/contracts/page.ts): newest first, a creator's jobs and
// script projects (last changed first), the admins' marketing campaigns, the legal team's
// incidents, deletion certificates, holds and take-down requests (stored files:
// assets.test.ts), a creator's support tickets, purchases and invoices (keyed by Stripe's
// ids) and rights requests; the support queue, waiting longest first; and the legal
// team's rights requests, fewest days left first. Walking the pages
// shows every row once, in the list's order, rows of the same millisecond in order of
// id; a cursor the list did not give is refused, naming the field.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeletionCertificate,
  Incident,
  IncidentNotice,
  Invoice,
  LegalHold,
  MarketingCampaign,
  Payment,
  RightsRequest,
  ScriptProject,
  SupportTicket,
  TakedownRequest,
} from '../../db/entities/index.ts';
import type { RequestStatus } from '../../domain/rights-request.ts';
import { INVOICE_PAGE_SIZE } from '../../domain/subscription.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { insertJobRow } from '../support/generation.ts';
import { json } from '../support/http.ts';
import { projectRow } from '../support/script.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let admin: TestAccount;
let legal: TestAccount;
beforeAll(async () => {
  platform = await startTestPlatform();
  admin = await signedIn(platform, { role: 'admin', mfa: true });
  legal = await signedIn(platform, { role: 'legal', mfa: true });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();

/** The order a newest-first list promises: newest first, then the larger id first. */
const newestFirst = (rows: { id: string; createdAt: Date }[]) =>
  [...rows]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
    .map((r) => r.id);

/** A page of two rows: `path` with its own query, the limit and the cursor added. */
const pageAt = (path: string, cursor: string | null) =>
  `${path}${path.includes('?') ? '&' : '?'}limit=2${cursor ? `&cursor=${cursor}` : ''}`;

/**
 * Every id the list at `path` shows (the items under `list`), two at a time, page after
 * page, until it ends or `enough` of them are seen. `idOf` reads an item's id.
 */
async function walk(
  client: TestAccount['client'],
  path: string,
  list: string,
  {
    idOf = (item) => item.id!,
    enough = () => false,
  }: {
    idOf?: (item: Record<string, string>) => string;
    enough?: (seen: string[]) => boolean;
  } = {},
): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await client.get(pageAt(path, cursor));
    expect(res.status).toBe(200);
    const page = await json(res);
    const ids = (page[list] as Record<string, string>[]).map(idOf);
    expect(ids.length).toBeLessThanOrEqual(2);
    seen.push(...ids);
    cursor = page.nextCursor;
  } while (cursor && !enough(seen));
  return seen;
}

/** An incident's row written straight to the database, recorded by the legal team at `recordedAt`. */
const incidentRow = (title: string, recordedAt: Date) => ({
  id: randomUUID(),
  title,
  description: 'A misconfigured backup exposed uploaded images for a day.',
  measures: 'The backup was removed.',
  categories: ['uploads' as const],
  discoveredAt: recordedAt,
  windowStart: recordedAt,
  windowEnd: recordedAt,
  recordedBy: legal.user.id,
  recordedAt,
  deadlineAt: recordedAt,
});

/**
 * Walks a list others add to, two at a time, until `rows` are all seen: each must be seen
 * once, in the list's order among them. `idOf` reads a row's id from the list's item.
 */
async function expectWalked(
  client: TestAccount['client'],
  path: string,
  list: string,
  rows: { id: string; at: Date }[],
  idOf: (item: Record<string, string>) => string = (item) => item.id!,
): Promise<void> {
  const ours = new Set<string>(rows.map((r) => r.id));
  const seen = await walk(client, path, list, {
    idOf,
    enough: (ids) => ids.filter((id) => ours.has(id)).length === ours.size,
  });
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.filter((id) => ours.has(id))).toEqual(
    newestFirst(rows.map((r) => ({ id: r.id, createdAt: r.at }))),
  );
}

describe('pages by time', () => {
  it("walk a creator's jobs two at a time: every job once, newest first, jobs of the same millisecond in order", async () => {
    const creator = await signedIn(platform);
    const same = new Date(Date.now() - 60_000);
    const times = [same, same, same, new Date(same.getTime() + 1), new Date(same.getTime() - 1)];
    const jobs = [];
    for (const createdAt of times) {
      const id = await insertJobRow(em(), { userId: creator.user.id, status: 'succeeded', createdAt });
      jobs.push({ id, createdAt });
    }
    await insertJobRow(em(), { userId: admin.user.id, status: 'succeeded', createdAt: same });

    const seen = await walk(creator.client, '/api/jobs', 'jobs');
    expect(seen).toEqual(newestFirst(jobs));
  });

  it("list a creator's jobs by their ids, however old: the library's videos with their prompts", async () => {
    const creator = await signedIn(platform);
    const old = await insertJobRow(em(), {
      userId: creator.user.id,
      status: 'succeeded',
      createdAt: new Date(Date.now() - 86_400_000),
    });
    const newer = [];
    for (let i = 0; i < 3; i++)
      newer.push(await insertJobRow(em(), { userId: creator.user.id, status: 'succeeded' }));
    const someoneElses = await insertJobRow(em(), { userId: admin.user.id, status: 'succeeded' });

    const res = await creator.client.get(`/api/jobs?ids=${[old, newer[0], someoneElses].join(',')}&limit=2`);
    expect(res.status).toBe(200);
    const listed = (await json(res)).jobs.map((j: { id: string }) => j.id);
    expect(listed).toEqual([newer[0], old]);

    const bad = await creator.client.get(`/api/jobs?ids=${old},not-an-id`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify((await json(bad)).error)).toContain('ids');
  });

  it('walk the marketing campaigns two at a time: every campaign once, newest first, those of the same millisecond in order', async () => {
    const same = new Date(Date.now() - 3_600_000);
    const subject = `Paged ${randomUUID()}`;
    const campaigns = [same, same, same, new Date(same.getTime() + 1)].map((createdAt) => ({
      id: randomUUID(),
      sentBy: admin.user.id,
      subject,
      body: 'News for everyone who opted in.',
      createdAt,
      finishedAt: createdAt,
      sent: 0,
    }));
    await em().insertMany(MarketingCampaign, campaigns);

    await expectWalked(
      admin.client,
      '/api/admin/marketing/campaigns',
      'campaigns',
      campaigns.map((c) => ({ id: c.id, at: c.createdAt })),
      (item) => item.campaignId!,
    );
    // Without a limit, a page is the admin page's 20.
    const first = await json(await admin.client.get('/api/admin/marketing/campaigns'));
    expect(first.campaigns.length).toBeLessThanOrEqual(20);
  });

  it("walk a creator's script projects two at a time: every one once, last changed first, those changed in the same millisecond in order", async () => {
    const creator = await signedIn(platform);
    const same = new Date(Date.now() - 30_000);
    const changed = [same, same, new Date(same.getTime() - 1), same, new Date(same.getTime() + 1)];
    // Made in the order listed; the list goes by the last change.
    const projects = changed.map((updatedAt, n) =>
      projectRow(creator.user.id, {
        title: `Paged ${n}`,
        createdAt: new Date(same.getTime() - 60_000 + n),
        updatedAt,
      }),
    );
    await em().insertMany(ScriptProject, projects);
    await em().insertMany(ScriptProject, [{ ...projects[0]!, id: randomUUID(), user: admin.user.id }]);

    const seen = await walk(creator.client, '/api/scripts', 'projects');
    expect(seen).toEqual(newestFirst(projects.map((p) => ({ id: p.id, createdAt: p.updatedAt }))));
  });

  it("walk the legal team's incidents two at a time: every incident once, newest recorded first, those of the same millisecond in order", async () => {
    const same = new Date(Date.now() - 7_200_000);
    const incidents = [same, same, same, new Date(same.getTime() - 1)].map((recordedAt) =>
      incidentRow(`Paged ${randomUUID()}`, recordedAt),
    );
    await em().insertMany(Incident, incidents);

    await expectWalked(
      legal.client,
      '/api/legal/incidents',
      'incidents',
      incidents.map((i) => ({ id: i.id, at: i.recordedAt })),
    );
  });

  it("a page of incidents counts each incident's own notices", async () => {
    const recordedAt = new Date(Date.now() + 86_400_000);
    const incidents = [0, 1].map((n) => incidentRow(`Counted ${n}`, new Date(recordedAt.getTime() + n)));
    await em().insertMany(Incident, incidents);
    const [first, second] = incidents.map((i) => i.id);
    const statuses = {
      [first!]: ['sent', 'sent', 'refused'],
      [second!]: ['pending', 'unconfirmed'],
    } as const;
    await em().insertMany(
      IncidentNotice,
      Object.entries(statuses).flatMap(([incident, list]) =>
        list.map((status) => ({ incident, user: null, status })),
      ),
    );

    const page = await json(await legal.client.get('/api/legal/incidents?limit=2'));
    const notices = Object.fromEntries(
      (page.incidents as { id: string; notices: unknown }[]).map((i) => [i.id, i.notices]),
    );
    const none = { pending: 0, sending: 0, sent: 0, unconfirmed: 0, no_address: 0, refused: 0 };
    expect(notices).toEqual({
      [first!]: { ...none, sent: 2, refused: 1 },
      [second!]: { ...none, pending: 1, unconfirmed: 1 },
    });
  });

  it("walk the legal team's deletion certificates two at a time: every one once, newest issued first, those of the same millisecond in order", async () => {
    const same = new Date(Date.now() - 10_800_000);
    const certificates = [same, new Date(same.getTime() + 1), same, same].map((issuedAt) => ({
      id: randomUUID(),
      requestId: randomUUID(),
      subjectId: randomUUID(),
      origin: 'user' as const,
      issuedAt,
      contents: {},
      certificateHash: '0'.repeat(64),
    }));
    await em().insertMany(DeletionCertificate, certificates);

    await expectWalked(
      legal.client,
      '/api/legal/certificates',
      'certificates',
      certificates.map((c) => ({ id: c.id, at: c.issuedAt })),
    );
  });

  it("walk the legal team's take-down requests two at a time, and find an open one however many closed ones came after it", async () => {
    const same = new Date(Date.now() - 14_400_000);
    const times = [same, same, new Date(same.getTime() + 1), same];
    const takedowns = times.map((filedAt, i) => ({
      id: randomUUID(),
      reason: 'deepfake' as const,
      details: 'A video of me I never agreed to.',
      named: `https://clipwise.example/v/${randomUUID()}`,
      targetType: 'job' as const,
      targetId: randomUUID(),
      // The oldest-listed one is open; the three after it are closed.
      status: i === 3 ? ('awaiting_decision' as const) : ('closed' as const),
      filedAt,
    }));
    await em().insertMany(TakedownRequest, takedowns);

    await expectWalked(
      legal.client,
      '/api/legal/takedowns',
      'takedowns',
      takedowns.map((t) => ({ id: t.id, at: t.filedAt })),
    );
    // Open ones only: ours is found, and none of the closed ones filed after it is shown.
    const open = takedowns[3]!.id;
    const openSeen = await walk(legal.client, '/api/legal/takedowns?status=open', 'takedowns', {
      enough: (ids) => ids.includes(open),
    });
    expect(openSeen).toContain(open);
    expect(openSeen.filter((id) => takedowns.some((t) => t.id === id && t.status === 'closed'))).toEqual([]);
  });

  it("walk the legal team's holds two at a time: every one once, the latest placed first, those of the same millisecond in order", async () => {
    const person = await signedIn(platform);
    const same = new Date(Date.now() - 5_400_000);
    const holds = [same, same, new Date(same.getTime() + 1), same, new Date(same.getTime() - 1)].map(
      (placedAt, n) => ({
        id: randomUUID(),
        userId: person.user.id,
        reason: `Litigation ${n}`,
        placedBy: legal.user.id,
        placedAt,
        ...(n === 0 ? { releasedAt: placedAt, releasedBy: legal.user.id, releaseReason: 'Settled.' } : {}),
      }),
    );
    await em().insertMany(LegalHold, holds);

    const seen = await walk(legal.client, `/api/legal/holds?userId=${person.user.id}`, 'holds');
    const rows = holds.map((h) => ({ id: h.id, createdAt: h.placedAt }));
    expect(seen).toEqual(newestFirst(rows));
  });

  it("walk the support queue two at a time: the tickets waiting longest first, closed ones the latest first, each once; and the creator's own, the latest first", async () => {
    const creator = await signedIn(platform);
    const same = new Date(Date.now() - 3_600_000);
    const ms = (n: number) => new Date(same.getTime() + n);
    const ticket = (status: 'open' | 'closed', lastMessageAt: Date) => ({
      id: randomUUID(),
      user: creator.user.id,
      subject: 'My video stopped halfway',
      status,
      lastMessageAt,
      createdAt: lastMessageAt,
      closedAt: status === 'closed' ? lastMessageAt : null,
    });
    const open = [ms(0), ms(0), ms(-1), ms(1), ms(0)].map((at) => ticket('open', at));
    const closed = [ms(0), ms(1), ms(0)].map((at) => ticket('closed', at));
    await em().insertMany(SupportTicket, [...open, ...closed]);

    // Other tests' tickets share the queue: ours are found among them, each once.
    const walkQueue = async (filter: string, list: typeof open) => {
      const ours = new Set<string>(list.map((t) => t.id));
      const seen = await walk(admin.client, `/api/support/queue?filter=${filter}`, 'tickets', {
        enough: (ids) => ids.filter((id) => ours.has(id)).length === ours.size,
      });
      expect(new Set(seen).size).toBe(seen.length);
      return seen.filter((id) => ours.has(id));
    };
    const rows = (list: typeof open) => list.map((t) => ({ id: t.id, createdAt: t.lastMessageAt }));
    expect(await walkQueue('open', open)).toEqual(newestFirst(rows(open)).reverse());
    expect(await walkQueue('closed', closed)).toEqual(newestFirst(rows(closed)));

    // The creator's own list: every ticket, the latest activity first.
    const mine = await walk(creator.client, '/api/support/tickets', 'tickets');
    expect(mine).toEqual(newestFirst(rows([...open, ...closed])));
  });

  it("walk the legal team's rights requests two at a time: every one once, fewest days left first, those not confirmed last", async () => {
    const person = await signedIn(platform);
    const due = new Date(Date.now() + 10 * 86_400_000);
    const made = new Date(Date.now() - 86_400_000);
    const later = (d: Date, ms: number) => new Date(d.getTime() + ms);
    // [deadline, extended deadline, made]: two of the same deadline and millisecond made,
    // one whose extension puts it last of those with a deadline, two not confirmed yet.
    const shapes: [Date | null, Date | null, Date][] = [
      [due, null, made],
      [due, null, made],
      [due, null, later(made, -1)],
      [later(due, -86_400_000), later(due, 30 * 86_400_000), made],
      [later(due, 1), null, made],
      [null, null, made],
      [null, null, later(made, 1)],
      // Overdue by an hour, and due in six days: counted as such however it is paged.
      [new Date(Date.now() - 3_600_000), null, made],
      [new Date(Date.now() + 6 * 86_400_000), null, made],
      // Answered past its deadline: listed, but no longer overdue.
      [new Date(Date.now() - 7_200_000), null, made],
    ];
    const requests = shapes.map(([dueAt, extendedDueAt, createdAt], n) => ({
      id: randomUUID(),
      user: person.user.id,
      type: 'access' as const,
      jurisdiction: 'GDPR' as const,
      status: (!dueAt
        ? 'awaiting_verification'
        : n === shapes.length - 1
          ? 'completed'
          : 'in_progress') as RequestStatus,
      createdAt,
      dueAt,
      extendedDueAt,
    }));
    await em().insertMany(RightsRequest, requests);
    const inForce = (r: (typeof requests)[number]) => (r.extendedDueAt ?? r.dueAt)?.getTime() ?? Infinity;
    const expected = [...requests]
      .sort(
        (a, b) =>
          inForce(a) - inForce(b) || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
      )
      .map((r) => r.id);

    const seen = await walk(
      legal.client,
      `/api/legal/requests?status=all&userId=${person.user.id}`,
      'requests',
    );
    expect(seen).toEqual(expected);

    const first = await json(
      await legal.client.get(`/api/legal/requests?status=all&userId=${person.user.id}&limit=2`),
    );
    expect(first.counts).toEqual({ overdue: 1, dueSoon: 1 });
  });

  it("walk a creator's purchases and invoices two at a time: every paid one once, newest first, those of the same millisecond in order of Stripe's id", async () => {
    const creator = await signedIn(platform);
    const same = new Date(Date.now() - 90_000);
    const stripeId = (prefix: string) => `${prefix}_test_${randomUUID().replaceAll('-', '')}`;
    const times = [same, same, new Date(same.getTime() + 1), same, new Date(same.getTime() - 1)];
    const payments = times.map((createdAt) => ({
      id: stripeId('cs'),
      user: creator.user.id,
      pack: 'starter',
      credits: 500,
      amount: 500,
      currency: 'usd',
      status: 'paid' as const,
      createdAt,
      paidAt: createdAt,
    }));
    await em().insertMany(Payment, [
      ...payments,
      // Not paid, or someone else's: not in my history.
      { ...payments[0]!, id: stripeId('cs'), status: 'pending' as const, paidAt: null },
      { ...payments[0]!, id: stripeId('cs'), user: admin.user.id },
    ]);
    const seen = await walk(creator.client, '/api/billing/payments', 'payments');
    expect(seen).toEqual(newestFirst(payments));

    // A page more than the subscription's overview shows, the last two in the same millisecond.
    const invoices = Array.from({ length: INVOICE_PAGE_SIZE + 1 }, (_, n) => {
      const createdAt = new Date(same.getTime() - Math.min(n, INVOICE_PAGE_SIZE - 1) * 86_400_000);
      return {
        id: stripeId('in'),
        user: creator.user.id,
        status: 'paid' as const,
        createdAt,
        updatedAt: createdAt,
      };
    });
    await em().insertMany(Invoice, [
      ...invoices,
      // Not reported by Stripe yet: not listed.
      { ...invoices[0]!, id: stripeId('in'), status: null },
    ]);
    const order = newestFirst(invoices);
    expect(await walk(creator.client, '/api/billing/invoices', 'invoices')).toEqual(order);
    const overview = await json(await creator.client.get('/api/billing/subscription'));
    expect(overview.invoices.map((i: { id: string }) => i.id)).toEqual(order.slice(0, INVOICE_PAGE_SIZE));
    const rest = await json(
      await creator.client.get(`/api/billing/invoices?cursor=${overview.invoicesNextCursor}`),
    );
    expect(rest.invoices.map((i: { id: string }) => i.id)).toEqual(order.slice(INVOICE_PAGE_SIZE));
    expect(rest.nextCursor).toBeNull();
  });

  it("walk a person's own rights requests two at a time: every one once, newest first; the open deletion found however many came after it", async () => {
    const person = await signedIn(platform);
    const same = new Date(Date.now() - 120_000);
    const times = [same, same, new Date(same.getTime() - 1), same, new Date(same.getTime() + 1)];
    const requests = times.map((createdAt, n) => ({
      id: randomUUID(),
      user: person.user.id,
      // The oldest is the open deletion; the others finished, or not about the account.
      type: n === 2 ? ('deletion' as const) : ('access' as const),
      jurisdiction: 'GDPR' as const,
      status: (n === 2 ? 'paused' : n === 3 ? 'in_progress' : 'completed') as RequestStatus,
      createdAt,
    }));
    const finishedDeletion = {
      ...requests[0]!,
      id: randomUUID(),
      type: 'deletion' as const,
      status: 'cancelled' as const,
    };
    await em().insertMany(RightsRequest, [
      ...requests,
      finishedDeletion,
      { ...requests[2]!, id: randomUUID(), user: admin.user.id },
    ]);

    const mine = [...requests, finishedDeletion];
    expect(await walk(person.client, '/api/privacy/requests', 'requests')).toEqual(newestFirst(mine));
    expect(await walk(person.client, '/api/privacy/requests?status=open', 'requests')).toEqual(
      newestFirst([requests[3]!, requests[2]!]),
    );
    expect(await walk(person.client, '/api/privacy/requests?status=open&type=deletion', 'requests')).toEqual([
      requests[2]!.id,
    ]);
    // Without a limit, a page is the privacy center's 20.
    const first = await json(await person.client.get('/api/privacy/requests'));
    expect(first).toMatchObject({ nextCursor: null });
    expect(first.requests).toHaveLength(mine.length);
    const bad = await person.client.get('/api/privacy/requests?status=finished');
    expect(bad.status).toBe(400);
    expect(JSON.stringify((await json(bad)).error)).toContain('status');
  });

  it('refuse a cursor the list did not give, naming the field', async () => {
    const creator = await signedIn(platform);
    const forged = [
      'bm9wZQ', // "nope"
      Buffer.from(`${new Date().toISOString()}|not-an-id`).toString('base64url'),
      Buffer.from(`yesterday|${randomUUID()}`).toString('base64url'),
    ];
    for (const [client, path] of [
      [creator.client, '/api/jobs'],
      [creator.client, '/api/assets'],
      [creator.client, '/api/scripts'],
      [admin.client, '/api/admin/marketing/campaigns'],
      [legal.client, '/api/legal/incidents'],
      [legal.client, '/api/legal/certificates'],
      [legal.client, '/api/legal/takedowns'],
      [legal.client, '/api/legal/requests'],
      [admin.client, '/api/support/queue'],
      [legal.client, '/api/legal/holds'],
      [creator.client, '/api/billing/payments'],
      [creator.client, '/api/billing/invoices'],
      [creator.client, '/api/privacy/requests'],
    ] as const) {
      for (const cursor of forged) {
        const res = await client.get(`${path}?cursor=${cursor}`);
        expect(res.status, `${path} ${cursor}`).toBe(400);
        const { error } = await json(res);
        expect(error.code).toBe('invalid_request');
        expect(JSON.stringify(error)).toContain('cursor');
      }
    }
  });
});
