// Support tickets over HTTP (R-SUPPORT-3Y): a creator's tickets (open with an optional
// attachment, read the thread, write again, close) and the support staff's queue (see,
// assign, reply by email, close, open an attachment; audited). The rules are in
// use-cases/support.ts and use-cases/support-staff.ts.
import {
  assignBody,
  attachmentLink,
  attachmentQuery,
  myTicketsQuery,
  openTicketBody,
  queueList,
  queueQuery,
  replyBody,
  replyResult,
  staffTicketView,
  ticketList,
  ticketMessageBody,
  ticketParams,
  ticketView,
} from '../../domain/contracts/support.ts';
import {
  assignTicket,
  closeQueuedTicket,
  queuedTicket,
  replyToTicket,
  supportQueue,
  ticketAttachmentLink,
} from '../../use-cases/support-staff.ts';
import { closeMyTicket, myTicket, myTickets, openTicket, writeToTicket } from '../../use-cases/support.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

const SUPPORT_TEAM = ['support', 'admin'] as const;
const closed = { status: 409, code: 'ticket_closed', when: 'the ticket is closed' } as const;

export const supportRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/support/tickets',
    summary: 'Open a support ticket (an attachment is one of my uploads, kept 30 days like any upload)',
    tags: ['support'],
    access: 'signed-in',
    status: 201,
    body: openTicketBody,
    response: ticketView,
    handler: ({ deps, body, req }) => openTicket(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/support/tickets',
    summary: 'My support tickets, the latest activity first',
    tags: ['support'],
    access: 'signed-in',
    query: myTicketsQuery,
    response: ticketList,
    handler: ({ deps, query, req }) => myTickets(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/support/tickets/:id',
    summary: 'One of my tickets with its thread',
    tags: ['support'],
    access: 'signed-in',
    params: ticketParams,
    response: ticketView,
    handler: ({ deps, params, req }) => myTicket(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/api/support/tickets/:id/messages',
    summary: 'Write again on one of my tickets (it goes back to support)',
    tags: ['support'],
    access: 'signed-in',
    params: ticketParams,
    body: ticketMessageBody,
    response: ticketView,
    errors: [closed],
    handler: ({ deps, params, body, req }) => writeToTicket(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/support/tickets/:id/close',
    summary: 'Close one of my tickets (it is deleted 3 years later)',
    tags: ['support'],
    access: 'signed-in',
    params: ticketParams,
    response: ticketView,
    handler: ({ deps, params, req }) => closeMyTicket(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/support/queue',
    summary: 'The support queue: open, answered, closed, mine or unassigned tickets, with counts',
    tags: ['support'],
    access: SUPPORT_TEAM,
    query: queueQuery,
    response: queueList,
    handler: ({ deps, query, req }) => supportQueue(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/support/queue/:id',
    summary: 'A ticket with its thread and who asked (the access is audited)',
    tags: ['support'],
    access: SUPPORT_TEAM,
    params: ticketParams,
    response: staffTicketView,
    handler: ({ deps, params, req }) => queuedTicket(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/api/support/queue/:id/assign',
    summary: 'Assign a ticket to a member of the support team (yourself when none is named)',
    tags: ['support'],
    access: SUPPORT_TEAM,
    params: ticketParams,
    body: assignBody,
    response: staffTicketView,
    handler: ({ deps, params, body, req }) => assignTicket(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/support/queue/:id/replies',
    summary: 'Reply to a ticket: added to the thread and emailed to the creator',
    tags: ['support'],
    access: SUPPORT_TEAM,
    params: ticketParams,
    body: replyBody,
    response: replyResult,
    errors: [closed],
    handler: ({ deps, params, body, req }) => replyToTicket(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/support/queue/:id/close',
    summary: 'Close a ticket (it is deleted 3 years later)',
    tags: ['support'],
    access: SUPPORT_TEAM,
    params: ticketParams,
    response: staffTicketView,
    handler: ({ deps, params, req }) => closeQueuedTicket(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/support/queue/:id/attachment',
    summary: 'A short-lived link to a file attached to the ticket (the access is audited)',
    tags: ['support'],
    access: SUPPORT_TEAM,
    params: ticketParams,
    query: attachmentQuery,
    response: attachmentLink,
    errors: [
      { status: 410, code: 'asset_deleted', when: 'the file has been deleted (uploads last 30 days)' },
    ],
    handler: ({ deps, params, query, req }) =>
      ticketAttachmentLink(deps, caller(req).user, params.id, query.assetId),
  }),
];
