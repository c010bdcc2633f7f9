// Support tickets (R-SUPPORT-3Y): a creator opens one with an attachment (an upload, kept
// 30 days like any: R-IN-30D); support staff see the queue, assign, reply (emailed, and on
// the site), close; the daily sweep (a Temporal Schedule) deletes a ticket 3 years after
// it was closed and nothing younger, closes tickets left answered for 30 days, and keeps
// what a legal hold covers (R-HOLD). Production durations: old tickets are written with
// old dates, so other tests' fresh tickets are untouched.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSweepActivities } from '../../activities/sweeps/index.ts';
import { AuditEvent, EmailLog, LegalHold, SupportMessage, SupportTicket } from '../../db/entities/index.ts';
import { staffTicketView, ticketView, queueList } from '../../domain/contracts/support.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import {
  SUPPORT_SCHEDULE_IDS,
  SUPPORT_SWEEP_INTERVAL_MS,
  TICKET_IDLE_CLOSE_MS,
} from '../../domain/support.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { DAY } from '../../domain/time.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { media, uploadBytes } from '../support/assets.ts';
import { json } from '../support/http.ts';
import { waitForMail } from '../support/mail.ts';
import { startTestPlatform, testConfig, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let staff: TestAccount;
beforeAll(async () => {
  platform = await startTestPlatform();
  staff = await signedIn(platform, { role: 'support', mfa: true, name: 'Sam Support' });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const ago = (ms: number) => new Date(Date.now() - ms);
const THREE_YEARS = 3 * 365 * DAY;

const sweep = () =>
  platform.clients.temporal.client.workflow.execute('supportTicketSweepWorkflow', {
    taskQueue: TASK_QUEUES.system,
    workflowId: `support-sweep-test-${randomUUID()}`,
    args: [],
  }) as Promise<{ deleted: number; closedIdle: number; cutoff: string }>;

/** A ticket written straight to the database, with the dates a test needs. */
async function ticketAt(userId: string, fields: Partial<SupportTicket>): Promise<string> {
  const e = em();
  const ticket = e.create(SupportTicket, {
    user: userId,
    subject: 'old question',
    status: 'closed',
    createdAt: ago(4 * 365 * DAY),
    lastMessageAt: ago(4 * 365 * DAY),
    ...fields,
  });
  await e.flush();
  e.create(SupportMessage, {
    ticket: ticket.id,
    authorRole: 'creator',
    body: 'hello',
    createdAt: ticket.createdAt,
  });
  await e.flush();
  return ticket.id;
}

describe('a ticket’s life', () => {
  it('[R-SUPPORT-3Y] opened with an attachment, assigned, answered by email, closed, and deleted 3 years after closing', async () => {
    const creator = await signedIn(platform, { name: 'Cleo Creator' });
    const upload = await json(await uploadBytes(platform, creator.client, await media('png')));
    const opened = await creator.client.post('/api/support/tickets', {
      subject: 'My video is blank',
      message: 'The job finished but the video shows nothing. Screenshot attached.',
      attachmentAssetId: upload.id,
    });
    expect(opened.status).toBe(201);
    const ticket = ticketView.parse(await json(opened));
    expect(ticket).toMatchObject({ status: 'open', closedAt: null, deleteAt: null, messageCount: 1 });
    expect(ticket.messages[0]!.attachment).toMatchObject({ assetId: upload.id, status: 'stored' });
    // The attachment keeps its own retention: 30 days after upload, like any upload.
    expect(Date.parse(ticket.messages[0]!.attachment!.deleteAt!) - Date.parse(upload.storedAt)).toBe(
      RETENTION_POLICY.input.keepMs,
    );

    // Support staff: the queue, then the ticket with who asked (audited), assigned, answered.
    const queue = queueList.parse(await json(await staff.client.get('/api/support/queue?filter=unassigned')));
    expect(queue.tickets.find((t) => t.id === ticket.id)?.requester).toMatchObject({
      email: creator.user.email,
    });
    const seen = staffTicketView.parse(await json(await staff.client.get(`/api/support/queue/${ticket.id}`)));
    expect(seen.requester?.name).toBe('Cleo Creator');
    expect(await em().count(AuditEvent, { action: 'support.ticket_viewed', targetId: ticket.id })).toBe(1);
    const link = await staff.client.get(`/api/support/queue/${ticket.id}/attachment?assetId=${upload.id}`);
    expect(link.status).toBe(200);
    expect((await json(link)).url).toMatch(/^http/);
    const assigned = await json(await staff.client.post(`/api/support/queue/${ticket.id}/assign`, {}));
    expect(assigned.assignee).toMatchObject({ id: staff.user.id, name: 'Sam Support' });
    const reply = await staff.client.post(`/api/support/queue/${ticket.id}/replies`, {
      body: 'Thanks! We re-ran the job; the video is in your library now.',
    });
    expect(reply.status).toBe(200);
    expect(await json(reply)).toMatchObject({ status: 'answered', emailed: true });

    // The reply is emailed, logged in the email log (no address, no text), and on the site.
    const mail = await waitForMail(creator.user.email, /^Re: My video is blank$/);
    expect(mail.text).toContain('We re-ran the job');
    expect(mail.text).toContain(`/support/${ticket.id}`);
    expect(await em().count(EmailLog, { user: creator.user.id, template: 'support_reply' })).toBe(1);
    const thread = ticketView.parse(
      await json(await creator.client.get(`/api/support/tickets/${ticket.id}`)),
    );
    expect(thread.messages.map((m) => [m.authorRole, m.authorName])).toEqual([
      ['creator', 'Cleo Creator'],
      ['support', 'Clipwise support'],
    ]);
    expect(thread.messages[1]!.emailedAt).toBeTruthy();

    // The creator answers (back to support), then support closes it: its 3 years start.
    const again = await creator.client.post(`/api/support/tickets/${ticket.id}/messages`, {
      body: 'It works!',
    });
    expect((await json(again)).status).toBe('open');
    const closed = staffTicketView.parse(
      await json(await staff.client.post(`/api/support/queue/${ticket.id}/close`, {})),
    );
    expect(closed.status).toBe('closed');
    expect(Date.parse(closed.deleteAt!) - Date.parse(closed.closedAt!)).toBe(THREE_YEARS);
    const refused = await creator.client.post(`/api/support/tickets/${ticket.id}/messages`, {
      body: 'One more',
    });
    expect(refused.status).toBe(409);

    // A day before its 3 years the sweep keeps it; after them it deletes it with its messages.
    expect(RETENTION_POLICY.supportTicket.keepMs).toBe(THREE_YEARS);
    await em().nativeUpdate(SupportTicket, { id: ticket.id }, { closedAt: ago(THREE_YEARS - DAY) });
    await sweep();
    expect(await em().count(SupportTicket, { id: ticket.id })).toBe(1);
    await em().nativeUpdate(SupportTicket, { id: ticket.id }, { closedAt: ago(THREE_YEARS + DAY) });
    expect((await sweep()).deleted).toBeGreaterThanOrEqual(1);
    expect(await em().count(SupportTicket, { id: ticket.id })).toBe(0);
    expect(await em().count(SupportMessage, { ticket: ticket.id })).toBe(0);
    expect((await creator.client.get(`/api/support/tickets/${ticket.id}`)).status).toBe(404);
  });

  it('a creator sees only their own tickets, and cannot attach someone else’s file', async () => {
    const owner = await signedIn(platform);
    const other = await signedIn(platform);
    const upload = await json(await uploadBytes(platform, owner.client, await media('jpg')));
    const { id } = await json(
      await owner.client.post('/api/support/tickets', { subject: 'Mine', message: 'Hi' }),
    );
    expect((await other.client.get(`/api/support/tickets/${id}`)).status).toBe(404);
    expect((await json(await other.client.get('/api/support/tickets'))).tickets).toEqual([]);
    const borrowed = await other.client.post('/api/support/tickets', {
      subject: 'Theirs',
      message: 'Look',
      attachmentAssetId: upload.id,
    });
    expect(borrowed.status).toBe(400);
  });
});

describe('the support sweep', () => {
  it('[R-SUPPORT-3Y] runs daily from a Schedule, deletes only tickets closed more than 3 years ago, and closes tickets left answered for 30 days', async () => {
    const described = await platform.clients.temporal.client.schedule
      .getHandle(SUPPORT_SCHEDULE_IDS.ticketSweep)
      .describe();
    expect(Number(described.spec.intervals?.[0]?.every)).toBe(SUPPORT_SWEEP_INTERVAL_MS);
    const { user } = await signedIn(platform);
    const old = await ticketAt(user.id, { closedAt: ago(THREE_YEARS + DAY) });
    const young = await ticketAt(user.id, { closedAt: ago(THREE_YEARS - DAY) });
    const open = await ticketAt(user.id, { status: 'open', closedAt: null, lastMessageAt: ago(400 * DAY) });
    const idle = await ticketAt(user.id, {
      status: 'answered',
      closedAt: null,
      lastMessageAt: ago(TICKET_IDLE_CLOSE_MS + DAY),
    });
    const recent = await ticketAt(user.id, { status: 'answered', closedAt: null, lastMessageAt: ago(DAY) });
    await sweep();
    const left = await em().find(SupportTicket, { user: user.id });
    const status = Object.fromEntries(left.map((t) => [t.id, t.status]));
    expect(status).toEqual({ [young]: 'closed', [open]: 'open', [idle]: 'closed', [recent]: 'answered' });
    expect(status[old]).toBeUndefined();
  });

  it('[R-HOLD] keeps the tickets of a person under a legal hold past their 3 years', async () => {
    const { user } = await signedIn(platform);
    const held = await ticketAt(user.id, { closedAt: ago(THREE_YEARS + 30 * DAY) });
    const e = em();
    const hold = e.create(LegalHold, {
      userId: user.id,
      reason: 'litigation',
      placedBy: staff.user.id,
      placedAt: new Date(),
    });
    await e.flush();
    await sweep();
    expect(await em().count(SupportTicket, { id: held })).toBe(1);
    await em().nativeUpdate(
      LegalHold,
      { id: hold.id },
      { releasedAt: new Date(), releasedBy: staff.user.id },
    );
    await sweep();
    expect(await em().count(SupportTicket, { id: held })).toBe(0);
  });

  it('[R-SUPPORT-3Y] follows the configured duration (DURATION_OVERRIDES supportTicket) where a test stack shortens it', async () => {
    const { user } = await signedIn(platform);
    // Shortened to 3 years less 60 days: a ticket closed 3 years less 30 days ago is now past it.
    const config = testConfig({ DURATION_OVERRIDES: `supportTicket=${THREE_YEARS - 60 * DAY}` });
    const activities = createSweepActivities({ ...platform.clients, config });
    const due = await ticketAt(user.id, { closedAt: ago(THREE_YEARS - 30 * DAY) });
    const kept = await ticketAt(user.id, { closedAt: ago(THREE_YEARS - 90 * DAY) });
    const result = await activities.sweepSupportTickets();
    expect(Date.now() - Date.parse(result.cutoff)).toBeGreaterThanOrEqual(THREE_YEARS - 60 * DAY);
    expect(await em().count(SupportTicket, { id: due })).toBe(0);
    expect(await em().count(SupportTicket, { id: kept })).toBe(1);
  });
});
