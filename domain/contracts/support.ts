// What the API takes and gives for support tickets (R-SUPPORT-3Y): a creator's tickets
// and their threads, and the support staff's queue. An attachment is one of the creator's
// uploads (`POST /api/assets`, kept 30 days: R-IN-30D), named by its id. One schema for the
// API's validation and OpenAPI document, and the site's types (`z.infer`).
import { z } from 'zod';
import { ASSET_STATUSES } from '../retention.ts';
import {
  QUEUE_FILTERS,
  TICKET_AUTHOR_ROLES,
  TICKET_MESSAGE_MAX_LENGTH,
  TICKET_PAGE_SIZE,
  TICKET_STATUSES,
  TICKET_SUBJECT_MAX_LENGTH,
} from '../support.ts';
import { nextCursor, pageQuery } from './page.ts';

const text = (max: number, what: string) =>
  z
    .string()
    .trim()
    .min(1, `Write ${what}.`)
    .max(max, `At most ${max.toLocaleString('en')} characters.`);

export const openTicketBody = z.object({
  subject: text(TICKET_SUBJECT_MAX_LENGTH, 'a subject'),
  message: text(TICKET_MESSAGE_MAX_LENGTH, 'your message'),
  /** One of my uploads to show support (a screenshot). */
  attachmentAssetId: z.uuid().optional(),
});
export type OpenTicketBody = z.infer<typeof openTicketBody>;

export const ticketMessageBody = z.object({
  body: text(TICKET_MESSAGE_MAX_LENGTH, 'your message'),
  attachmentAssetId: z.uuid().optional(),
});
export type TicketMessageBody = z.infer<typeof ticketMessageBody>;

export const replyBody = z.object({ body: text(TICKET_MESSAGE_MAX_LENGTH, 'the reply') });
export type ReplyBody = z.infer<typeof replyBody>;

export const assignBody = z.object({
  /** A support staff member; yourself when left out. */
  assigneeId: z.uuid().optional(),
});
export type AssignBody = z.infer<typeof assignBody>;

export const ticketParams = z.object({ id: z.uuid() });
export const attachmentQuery = z.object({ assetId: z.uuid() });

export const queueQuery = z.object({
  filter: z.enum(QUEUE_FILTERS).default('open'),
  ...pageQuery(TICKET_PAGE_SIZE, TICKET_PAGE_SIZE),
});
export type QueueQuery = z.infer<typeof queueQuery>;

export const ticketAttachment = z.object({
  assetId: z.uuid(),
  contentType: z.string().nullable(),
  status: z.enum(ASSET_STATUSES),
  /** Uploads are deleted 30 days after upload (R-IN-30D), ticket or not. */
  deleteAt: z.string().nullable(),
});

export const ticketMessage = z.object({
  id: z.number(),
  authorRole: z.enum(TICKET_AUTHOR_ROLES),
  /** The creator's name, or "Clipwise support" (staff see the staff member's name). */
  authorName: z.string(),
  body: z.string(),
  attachment: ticketAttachment.nullable(),
  createdAt: z.string(),
  /** A support reply: when it was emailed to the creator. */
  emailedAt: z.string().nullable(),
});
export type TicketMessage = z.infer<typeof ticketMessage>;

export const ticketSummary = z.object({
  id: z.uuid(),
  subject: z.string(),
  status: z.enum(TICKET_STATUSES),
  createdAt: z.string(),
  lastMessageAt: z.string(),
  closedAt: z.string().nullable(),
  /** When a closed ticket is deleted: 3 years after closing (R-SUPPORT-3Y). */
  deleteAt: z.string().nullable(),
  assignee: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  messageCount: z.number(),
});
export type TicketSummary = z.infer<typeof ticketSummary>;

export const ticketView = ticketSummary.extend({ messages: z.array(ticketMessage) });
export type TicketView = z.infer<typeof ticketView>;
export const myTicketsQuery = z.object({
  ...pageQuery(TICKET_PAGE_SIZE, TICKET_PAGE_SIZE),
});
export type MyTicketsQuery = z.infer<typeof myTicketsQuery>;
export const ticketList = z.object({
  tickets: z.array(ticketSummary),
  nextCursor,
});
export type TicketList = z.infer<typeof ticketList>;

/** Who asked: shown to support staff only. */
const requester = z.object({ id: z.uuid(), name: z.string(), email: z.string() }).nullable();

export const staffTicketSummary = ticketSummary.extend({ requester });
export const staffTicketView = ticketView.extend({ requester });
export type StaffTicketView = z.infer<typeof staffTicketView>;
export const queueList = z.object({
  tickets: z.array(staffTicketSummary),
  counts: z.record(z.enum(QUEUE_FILTERS), z.number()),
  nextCursor,
});
export type QueueList = z.infer<typeof queueList>;

/** A staff reply: the thread, and whether the email to the creator went out. */
export const replyResult = staffTicketView.extend({ emailed: z.boolean() });
export type ReplyResult = z.infer<typeof replyResult>;

export const attachmentLink = z.object({ url: z.string(), expiresAt: z.string() });
