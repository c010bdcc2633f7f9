// Support tickets as both sides read and write them (R-SUPPORT-3Y): the thread of a
// ticket, what the access export carries (D-ACCESS), the erasure at account deletion
// (D-ERASE: tickets are erased with the account, not kept detached: their text is the
// person's own words, which no law asks us to keep), and the words of the reply email.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/index.ts';
import { Asset, SupportMessage, SupportTicket } from '../db/entities/index.ts';
import type { MailMessage } from '../platform/mail.ts';

/** When a closed ticket is deleted (the policy table's 3 years, or a test stack's shorter time). */
export function ticketDeleteAt(config: Config, closedAt: Date | null | undefined): Date | null {
  return closedAt ? new Date(closedAt.getTime() + config.durations.retentionMs('supportTicket')) : null;
}

export interface TicketThread {
  ticket: SupportTicket;
  messages: SupportMessage[];
  /** The attachments' assets, by id (an attachment's file may be gone: uploads last 30 days). */
  attachments: Map<string, Asset>;
}

export async function ticketThread(em: EntityManager, ticket: SupportTicket): Promise<TicketThread> {
  const messages = await em.find(SupportMessage, { ticket: ticket.id }, { orderBy: { id: 'asc' } });
  const ids = messages.map((m) => m.attachmentAssetId).filter((id): id is string => Boolean(id));
  const assets = ids.length ? await em.find(Asset, { id: { $in: ids } }) : [];
  return { ticket, messages, attachments: new Map(assets.map((a) => [a.id, a])) };
}

/** Every ticket of a person with its messages, for their access export. */
export async function ticketsForExport(
  em: EntityManager,
  userId: string,
): Promise<{ ticket: Record<string, unknown>; messages: Record<string, unknown>[] }[]> {
  const tickets = await em.find(SupportTicket, { user: userId }, { orderBy: { createdAt: 'asc' } });
  const out = [];
  for (const ticket of tickets) {
    const messages = await em.find(SupportMessage, { ticket: ticket.id }, { orderBy: { id: 'asc' } });
    out.push({
      ticket: {
        id: ticket.id,
        subject: ticket.subject,
        status: ticket.status,
        createdAt: ticket.createdAt.toISOString(),
        closedAt: ticket.closedAt?.toISOString() ?? null,
      },
      messages: messages.map((m) => ({
        from: m.authorRole,
        body: m.body,
        attachmentAssetId: m.attachmentAssetId ?? null,
        createdAt: m.createdAt.toISOString(),
      })),
    });
  }
  return out;
}

/** Erases every ticket of a person with its messages (account deletion); returns how many. */
export async function eraseTickets(em: EntityManager, userId: string): Promise<number> {
  const rows = await em.execute<{ id: string }[]>(
    'delete from support_tickets where user_id = ? returning id',
    [userId],
  );
  return rows.length;
}

export const supportEmails = {
  reply: (to: string, subject: string, body: string, link: string): MailMessage => ({
    to,
    subject: `Re: ${subject}`,
    text: `Clipwise support replied to your ticket "${subject}":\n\n${body}\n\nAnswer or close the ticket on the site:\n${link}\n\n— Clipwise support`,
  }),
};
