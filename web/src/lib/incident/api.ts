// The breach-incident calls (S-BREACH): recording one, the list a page at a time with
// each 72-hour clock, and the authority's notification; shapes from the incident contract.
import type {
  AuthorityNotifiedBody,
  IncidentList,
  IncidentView,
  RecordIncidentBody,
} from '../../../../domain/contracts/incident.ts';
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';

export function incidentCalls(api: ApiClient) {
  return {
    /** A page of incidents, newest first; the next starts at its `nextCursor`. */
    list: (query: { cursor?: string } = {}) =>
      api.call<IncidentList>('GET', `/api/legal/incidents${queryString(query)}`),
    record: (body: RecordIncidentBody, csrfToken: string) =>
      api.call<IncidentView>('POST', '/api/legal/incidents', { body, csrfToken }),
    authorityNotified: (id: string, body: AuthorityNotifiedBody, csrfToken: string) =>
      api.call<IncidentView>('POST', `/api/legal/incidents/${seg(id)}/authority-notified`, {
        body,
        csrfToken,
      }),
  };
}
