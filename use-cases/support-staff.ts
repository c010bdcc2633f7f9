// Support tickets, support staff's side (R-SUPPORT-3Y, S-RBAC): the queue, a ticket with
// who asked (every look is audited: staff access to a person's data), assigning it,
// replying (the reply is emailed to the creator through the email log, and the thread is
// on the site), closing it, and a short-lived link to an attachment (audited too).
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, SupportMessage, SupportTicket, User } from '../db/entities/index.ts';
import type {
  AssignBody,
  QueueList,
  QueueQuery,
  ReplyBody,
  ReplyResult,
  StaffTicketView,
} from '../domain/contracts/support.ts';
import { badRequest, conflict, notFound } from '../domain/errors.ts';
import { DOWNLOAD_URL_TTL_SECONDS } from '../domain/retention.ts';
import { QUEUE_FILTERS, type QueueFilter } from '../domain/support.ts';
import { recordAudit } from '../platform/audit.ts';
import { presignDownload } from '../platform/objects.ts';
import { sendLoggedMail, wasDelivered } from '../stores/mail.ts';
import { supportEmails, ticketThread } from '../stores/support.ts';
import { newestPage, oldestPage } from '../stores/time-pages.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { assetGone } from './retention.ts';
import { addMessage, closeTicket, messageCounts, namesOf, summaryOf, threadView } from './support.ts';

const SUPPORT_ROLES = ['support', 'admin'] as const;

function filterOf(filter: QueueFilter, staff: Actor) {
  switch (filter) {
    case 'mine':
      return { assignedTo: staff.id, status: { $ne: 'closed' as const } };
    case 'unassigned':
      return { assignedTo: null, status: { $ne: 'closed' as const } };
    default:
      return { status: filter };
  }
}

/**
 * A page of the queue: the tickets waiting longest first, closed ones the latest first;
 * the next starts at its `nextCursor`.
 */
export async function supportQueue(deps: UseCaseDeps, staff: Actor, query: QueueQuery): Promise<QueueList> {
  const em = deps.orm.em.fork();
  const inOrder = query.filter === 'closed' ? newestPage : oldestPage;
  const { page: tickets, nextCursor } = await inOrder(
    em,
    SupportTicket,
    filterOf(query.filter, staff),
    query,
    'lastMessageAt',
  );
  const counts = await messageCounts(em, tickets);
  const names = await namesOf(
    em,
    tickets.map((t) => t.assignedTo),
  );
  const requesters = await requestersOf(
    em,
    tickets.map((t) => t.user),
  );
  const totals = Object.fromEntries(
    await Promise.all(QUEUE_FILTERS.map(async (f) => [f, await em.count(SupportTicket, filterOf(f, staff))])),
  ) as QueueList['counts'];
  return {
    tickets: tickets.map((t) => ({
      ...summaryOf(deps, t, counts.get(t.id) ?? 0, names),
      requester: requesters.get(t.user ?? '') ?? null,
    })),
    counts: totals,
    nextCursor,
  };
}

async function requestersOf(em: EntityManager, ids: (string | null | undefined)[]) {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  const users = wanted.length ? await em.find(User, { id: { $in: wanted } }) : [];
  return new Map(users.map((u) => [u.id, { id: u.id, name: u.name, email: u.email }]));
}

async function staffTicket(em: EntityManager, id: string): Promise<SupportTicket> {
  const ticket = await em.findOne(SupportTicket, { id });
  if (!ticket) throw notFound('No such ticket.');
  return ticket;
}

async function staffView(
  deps: UseCaseDeps,
  em: EntityManager,
  ticket: SupportTicket,
): Promise<StaffTicketView> {
  const thread = await ticketThread(em, ticket);
  const names = await namesOf(em, [
    ticket.user,
    ticket.assignedTo,
    ...thread.messages.map((m) => m.authorId),
  ]);
  const requesters = await requestersOf(em, [ticket.user]);
  return {
    ...threadView(deps, thread, names, 'staff'),
    requester: requesters.get(ticket.user ?? '') ?? null,
  };
}

const staffAudit = (
  staff: Actor,
  ticket: SupportTicket,
  action: string,
  details: Record<string, unknown> = {},
) => ({
  action,
  actorId: staff.id,
  actorRole: staff.role,
  targetType: 'support_ticket',
  targetId: ticket.id,
  subjectUserId: ticket.user ?? null,
  details,
});

/** One ticket with its thread and who asked; the look is audited (S-RBAC). */
export async function queuedTicket(deps: UseCaseDeps, staff: Actor, id: string): Promise<StaffTicketView> {
  const em = deps.orm.em.fork();
  const ticket = await staffTicket(em, id);
  await recordAudit(em, staffAudit(staff, ticket, 'support.ticket_viewed'));
  return staffView(deps, em, ticket);
}

export async function assignTicket(
  deps: UseCaseDeps,
  staff: Actor,
  id: string,
  body: AssignBody,
): Promise<StaffTicketView> {
  const em = deps.orm.em.fork();
  const ticket = await staffTicket(em, id);
  const assigneeId = body.assigneeId ?? staff.id;
  const assignee = await em.findOne(User, { id: assigneeId }, { fields: ['id', 'role', 'status'] });
  if (
    !assignee ||
    !(SUPPORT_ROLES as readonly string[]).includes(assignee.role) ||
    assignee.status !== 'active'
  )
    throw badRequest('Assign the ticket to a member of the support team.', [
      { field: 'assigneeId', message: 'Not a support staff member.' },
    ]);
  if (ticket.assignedTo !== assigneeId) {
    ticket.assignedTo = assigneeId;
    await em.flush();
    await recordAudit(em, staffAudit(staff, ticket, 'support.ticket_assigned', { assigneeId }));
  }
  return staffView(deps, em, ticket);
}

/**
 * A reply: added to the thread, the ticket waits for the creator, and the creator is
 * emailed (once per reply, logged in the email log). A reply whose email failed is kept
 * and says so; the creator still sees it on the site.
 */
export async function replyToTicket(
  deps: UseCaseDeps,
  staff: Actor,
  id: string,
  body: ReplyBody,
): Promise<ReplyResult> {
  const em = deps.orm.em.fork();
  const ticket = await staffTicket(em, id);
  if (ticket.status === 'closed') throw conflict('ticket_closed', 'This ticket is closed.');
  ticket.status = 'answered';
  ticket.assignedTo ??= staff.id;
  const message = await addMessage(em, ticket, { id: staff.id, role: 'support' }, body.body);
  await recordAudit(em, staffAudit(staff, ticket, 'support.ticket_replied', { messageId: message.id }));
  const emailed = await emailReply(deps, em, ticket, message);
  return { ...(await staffView(deps, em, ticket)), emailed };
}

async function emailReply(
  deps: UseCaseDeps,
  em: EntityManager,
  ticket: SupportTicket,
  message: SupportMessage,
): Promise<boolean> {
  const creator = ticket.user ? await em.findOne(User, { id: ticket.user }) : null;
  if (!creator || creator.status === 'deleted') return false;
  const link = `${deps.config.web.publicUrl}/support/${ticket.id}`;
  try {
    const result = await sendLoggedMail(
      deps,
      em,
      {
        dedupeKey: `support-reply:${message.id}`,
        userId: creator.id,
        template: 'support_reply',
        category: 'transactional',
      },
      supportEmails.reply(creator.email, ticket.subject, message.body, link),
    );
    // Refused for good: the reply stays on the ticket's page, not marked emailed.
    if (!wasDelivered(result)) return false;
  } catch (err) {
    deps.logger.error(
      { err: { message: (err as Error).message }, ticketId: ticket.id },
      'support reply email failed',
    );
    return false;
  }
  await em.nativeUpdate(SupportMessage, { id: message.id }, { emailedAt: new Date() });
  message.emailedAt = new Date();
  return true;
}

export async function closeQueuedTicket(
  deps: UseCaseDeps,
  staff: Actor,
  id: string,
): Promise<StaffTicketView> {
  const em = deps.orm.em.fork();
  const ticket = await staffTicket(em, id);
  await closeTicket(deps, em, staff, ticket);
  return staffView(deps, em, ticket);
}

/** A short-lived link to a file attached to the ticket; the access is audited (S-RBAC). */
export async function ticketAttachmentLink(
  deps: UseCaseDeps,
  staff: Actor,
  id: string,
  assetId: string,
): Promise<{ url: string; expiresAt: string }> {
  const em = deps.orm.em.fork();
  const ticket = await staffTicket(em, id);
  const attached = await em.count(SupportMessage, { ticket: ticket.id, attachmentAssetId: assetId });
  const asset = attached ? await em.findOne(Asset, { id: assetId, user: ticket.user }) : null;
  if (!asset) throw notFound('No such attachment.');
  const seconds = Math.min(
    DOWNLOAD_URL_TTL_SECONDS,
    Math.floor(((asset.deleteAt?.getTime() ?? 0) - Date.now()) / 1000),
  );
  if (asset.status !== 'stored' || seconds < 1) throw assetGone(asset);
  await recordAudit(em, staffAudit(staff, ticket, 'support.attachment_viewed', { assetId }));
  const url = await presignDownload(deps.store, asset.objectKey, seconds);
  return { url, expiresAt: new Date(Date.now() + seconds * 1000).toISOString() };
}
