// Support tickets as the use cases read them (R-SUPPORT-3Y): a ticket's thread with its
// attachments, when a closed ticket is deleted, and the words of the reply email. (The
// access export reads them as categories of activities/rights-request/categories.ts; the
// account deletion erases them with the account's rows.)
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

export const supportEmails = {
  reply: (to: string, subject: string, body: string, link: string): MailMessage => ({
    to,
    subject: `Re: ${subject}`,
    text: `Clipwise support replied to your ticket "${subject}":\n\n${body}\n\nAnswer or close the ticket on the site:\n${link}\n\n— Clipwise support`,
  }),
};
