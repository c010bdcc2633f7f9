// The take-down calls (S-TAKEDOWN): the public form, the creator's notice and answer, and
// the legal team's list and decision; shapes from the take-down contract.
import type {
  FileTakedownBody,
  TakedownAnswerBody,
  TakedownDecisionBody,
  TakedownFiled,
  TakedownList,
  TakedownListQuery,
  TakedownNotice,
  TakedownRecord,
} from '../../../../domain/contracts/takedown.ts';
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';

export function takedownCalls(api: ApiClient) {
  return {
    file: (body: FileTakedownBody, csrfToken: string) =>
      api.call<TakedownFiled>('POST', '/api/takedowns', { body, csrfToken }),
    /** The creator's view of a take-down of their content, and their answer. */
    notice: (id: string) => api.call<TakedownNotice>('GET', `/api/takedowns/${seg(id)}`),
    answer: (id: string, body: TakedownAnswerBody, csrfToken: string) =>
      api.call<TakedownNotice>('POST', `/api/takedowns/${seg(id)}/answer`, { body, csrfToken }),
    /** A page of requests, newest filed first; the next starts at its `nextCursor`. */
    list: (query: { status?: TakedownListQuery['status']; cursor?: string } = {}) =>
      api.call<TakedownList>('GET', `/api/legal/takedowns${queryString(query)}`),
    decide: (id: string, body: TakedownDecisionBody, csrfToken: string) =>
      api.call<TakedownRecord>('POST', `/api/legal/takedowns/${seg(id)}/decision`, { body, csrfToken }),
  };
}
