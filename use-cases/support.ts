// Support tickets, the creator's side (R-SUPPORT-3Y): open a ticket (subject, message, and
// optionally one of my uploads as an attachment), read my tickets and their threads,
// write again, close. A ticket is kept 3 years after it is closed, then deleted by the
// support sweep; an attachment is an upload like any other, deleted 30 days after upload
// (R-IN-30D), so a ticket's text outlives its screenshot. Support staff's side is
// use-cases/support-staff.ts.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, SupportMessage, SupportTicket, User } from '../db/entities/index.ts';
import type {
  OpenTicketBody,
  MyTicketsQuery,
  TicketList,
  TicketMessage,
  TicketMessageBody,
  TicketSummary,
  TicketView,
} from '../domain/contracts/support.ts';
import { badRequest, conflict, notFound } from '../domain/errors.ts';
import type { TicketAuthorRole } from '../domain/support.ts';
import { recordAudit } from '../platform/audit.ts';
import { ticketDeleteAt, ticketThread, type TicketThread } from '../stores/support.ts';
import { newestPage } from '../stores/time-pages.ts';
import type { Actor, UseCaseDeps } from './deps.ts';

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
export const SUPPORT_NAME = 'Clipwise support';

/** Names of the people a ticket's view shows (its assignee, staff authors for staff). */
export async function namesOf(
  em: EntityManager,
  ids: (string | null | undefined)[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  const users = wanted.length ? await em.find(User, { id: { $in: wanted } }, { fields: ['id', 'name'] }) : [];
  return new Map(users.map((u) => [u.id, u.name]));
}

export function summaryOf(
  deps: UseCaseDeps,
  ticket: SupportTicket,
  messageCount: number,
  names: Map<string, string>,
): TicketSummary {
  return {
    id: ticket.id,
    subject: ticket.subject,
    status: ticket.status,
    createdAt: ticket.createdAt.toISOString(),
    lastMessageAt: ticket.lastMessageAt.toISOString(),
    closedAt: iso(ticket.closedAt),
    deleteAt: iso(ticketDeleteAt(deps.config, ticket.closedAt)),
    assignee: ticket.assignedTo
      ? { id: ticket.assignedTo, name: names.get(ticket.assignedTo) ?? 'support' }
      : null,
    messageCount,
  };
}

/** The thread as its reader sees it: a creator sees "Clipwise support", staff see who wrote. */
export function threadView(
  deps: UseCaseDeps,
  thread: TicketThread,
  names: Map<string, string>,
  reader: 'creator' | 'staff',
): TicketView {
  const messages = thread.messages.map((m): TicketMessage => {
    const asset = m.attachmentAssetId ? thread.attachments.get(m.attachmentAssetId) : undefined;
    const staffName = reader === 'staff' && m.authorId ? names.get(m.authorId) : undefined;
    return {
      id: m.id,
      authorRole: m.authorRole,
      authorName:
        m.authorRole === 'support' ? (staffName ?? SUPPORT_NAME) : (names.get(m.authorId ?? '') ?? 'You'),
      body: m.body,
      attachment: m.attachmentAssetId
        ? {
            assetId: m.attachmentAssetId,
            contentType: asset?.contentType ?? null,
            status: asset?.status ?? 'deleted',
            deleteAt: iso(asset?.deleteAt),
          }
        : null,
      createdAt: m.createdAt.toISOString(),
      emailedAt: iso(m.emailedAt),
    };
  });
  return { ...summaryOf(deps, thread.ticket, messages.length, names), messages };
}

/** An attachment must be one of the writer's own stored uploads. */
async function checkAttachment(em: EntityManager, actor: Actor, assetId: string | undefined): Promise<void> {
  if (!assetId) return;
  const asset = await em.findOne(Asset, { id: assetId, user: actor.id });
  if (!asset || asset.kind !== 'input' || asset.status !== 'stored')
    throw badRequest('Attach one of your uploaded files.', [
      { field: 'attachmentAssetId', message: 'Not one of your stored uploads.' },
    ]);
}

export async function addMessage(
  em: EntityManager,
  ticket: SupportTicket,
  author: { id: string; role: TicketAuthorRole },
  body: string,
  attachmentAssetId?: string,
): Promise<SupportMessage> {
  const message = em.create(SupportMessage, {
    ticket: ticket.id,
    authorId: author.id,
    authorRole: author.role,
    body,
    attachmentAssetId: attachmentAssetId ?? null,
    createdAt: new Date(),
  });
  ticket.lastMessageAt = message.createdAt;
  await em.flush();
  return message;
}

async function ownTicket(em: EntityManager, actor: Actor, id: string): Promise<SupportTicket> {
  const ticket = await em.findOne(SupportTicket, { id, user: actor.id });
  if (!ticket) throw notFound('No such ticket.');
  return ticket;
}

async function ownView(deps: UseCaseDeps, em: EntityManager, actor: Actor, ticket: SupportTicket) {
  const thread = await ticketThread(em, ticket);
  const names = await namesOf(em, [actor.id, ticket.assignedTo]);
  return threadView(deps, thread, names, 'creator');
}

export async function openTicket(deps: UseCaseDeps, actor: Actor, body: OpenTicketBody): Promise<TicketView> {
  const em = deps.orm.em.fork();
  await checkAttachment(em, actor, body.attachmentAssetId);
  const now = new Date();
  const ticket = em.create(SupportTicket, {
    user: actor.id,
    subject: body.subject,
    status: 'open',
    createdAt: now,
    lastMessageAt: now,
  });
  await em.flush();
  await addMessage(em, ticket, { id: actor.id, role: 'creator' }, body.message, body.attachmentAssetId);
  await recordAudit(em, {
    action: 'support.ticket_opened',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'support_ticket',
    targetId: ticket.id,
    subjectUserId: actor.id,
    details: { attachment: Boolean(body.attachmentAssetId) },
  });
  return ownView(deps, em, actor, ticket);
}

/** A page of the person's tickets, the latest activity first; the next starts at its `nextCursor`. */
export async function myTickets(deps: UseCaseDeps, actor: Actor, query: MyTicketsQuery): Promise<TicketList> {
  const em = deps.orm.em.fork();
  const { page: tickets, nextCursor } = await newestPage(
    em,
    SupportTicket,
    { user: actor.id },
    query,
    'lastMessageAt',
  );
  const counts = await messageCounts(em, tickets);
  const names = await namesOf(
    em,
    tickets.map((t) => t.assignedTo),
  );
  return { tickets: tickets.map((t) => summaryOf(deps, t, counts.get(t.id) ?? 0, names)), nextCursor };
}

export async function messageCounts(
  em: EntityManager,
  tickets: SupportTicket[],
): Promise<Map<string, number>> {
  if (tickets.length === 0) return new Map();
  const rows = await em.execute<{ ticket_id: string; n: number }[]>(
    'select ticket_id, count(*)::int as n from support_messages where ticket_id in (?) group by ticket_id',
    [tickets.map((t) => t.id)],
  );
  return new Map(rows.map((r) => [r.ticket_id, Number(r.n)]));
}

export async function myTicket(deps: UseCaseDeps, actor: Actor, id: string): Promise<TicketView> {
  const em = deps.orm.em.fork();
  return ownView(deps, em, actor, await ownTicket(em, actor, id));
}

/** I write again: the ticket goes back to support's queue. A closed ticket takes no more. */
export async function writeToTicket(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  body: TicketMessageBody,
): Promise<TicketView> {
  const em = deps.orm.em.fork();
  const ticket = await ownTicket(em, actor, id);
  if (ticket.status === 'closed')
    throw conflict('ticket_closed', 'This ticket is closed. Open a new one if you need more help.');
  await checkAttachment(em, actor, body.attachmentAssetId);
  ticket.status = 'open';
  await addMessage(em, ticket, { id: actor.id, role: 'creator' }, body.body, body.attachmentAssetId);
  return ownView(deps, em, actor, ticket);
}

/** Closes a ticket (its creator or support); its 3 years start now. Closing twice changes nothing. */
export async function closeTicket(deps: UseCaseDeps, em: EntityManager, actor: Actor, ticket: SupportTicket) {
  if (ticket.status === 'closed') return;
  ticket.status = 'closed';
  ticket.closedAt = new Date();
  ticket.closedBy = actor.id;
  await em.flush();
  await recordAudit(em, {
    action: 'support.ticket_closed',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'support_ticket',
    targetId: ticket.id,
    subjectUserId: ticket.user ?? null,
    details: { deleteAt: ticketDeleteAt(deps.config, ticket.closedAt)?.toISOString() },
  });
}

export async function closeMyTicket(deps: UseCaseDeps, actor: Actor, id: string): Promise<TicketView> {
  const em = deps.orm.em.fork();
  const ticket = await ownTicket(em, actor, id);
  await closeTicket(deps, em, actor, ticket);
  return ownView(deps, em, actor, ticket);
}
