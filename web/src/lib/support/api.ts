// The support calls (R-SUPPORT-3Y) on the site's API client: a creator's tickets and their
// threads, and the support team's queue (assign, reply, close, an attachment's link).
import type { QueueFilter } from '../../../../domain/support.ts';
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';
import type { QueueList, ReplyResult, StaffTicketView, TicketList, TicketView } from './types.ts';

export function supportCalls(api: ApiClient) {
  return {
    /** A page of my tickets; `cursor` is the page before's `nextCursor`. */
    tickets: (cursor?: string) =>
      api.call<TicketList>('GET', `/api/support/tickets${queryString({ cursor })}`),
    ticket: (id: string) => api.call<TicketView>('GET', `/api/support/tickets/${seg(id)}`),
    open: (body: { subject: string; message: string; attachmentAssetId?: string }, csrfToken: string) =>
      api.call<TicketView>('POST', '/api/support/tickets', { body, csrfToken }),
    write: (id: string, body: { body: string }, csrfToken: string) =>
      api.call<TicketView>('POST', `/api/support/tickets/${seg(id)}/messages`, { body, csrfToken }),
    close: (id: string, csrfToken: string) =>
      api.call<TicketView>('POST', `/api/support/tickets/${seg(id)}/close`, { csrfToken }),
    /** A page of the queue; `cursor` is the page before's `nextCursor`. */
    queue: (filter: QueueFilter, cursor?: string) =>
      api.call<QueueList>('GET', `/api/support/queue${queryString({ filter, cursor })}`),
    queueTicket: (id: string) => api.call<StaffTicketView>('GET', `/api/support/queue/${seg(id)}`),
    /** Assigns the ticket to the caller. */
    assign: (id: string, csrfToken: string) =>
      api.call<StaffTicketView>('POST', `/api/support/queue/${seg(id)}/assign`, { body: {}, csrfToken }),
    reply: (id: string, body: string, csrfToken: string) =>
      api.call<ReplyResult>('POST', `/api/support/queue/${seg(id)}/replies`, { body: { body }, csrfToken }),
    closeQueued: (id: string, csrfToken: string) =>
      api.call<StaffTicketView>('POST', `/api/support/queue/${seg(id)}/close`, { csrfToken }),
    /** A short-lived link to an attached file (the access is audited). */
    attachment: (id: string, assetId: string) =>
      api.call<{ url: string; expiresAt: string }>(
        'GET',
        `/api/support/queue/${seg(id)}/attachment${queryString({ assetId })}`,
      ),
  };
}
