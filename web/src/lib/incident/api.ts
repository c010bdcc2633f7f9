// The breach-incident calls (S-BREACH): recording one, the list with each 72-hour clock,
// and the authority's notification; shapes from the incident contract.
import type {
  AuthorityNotifiedBody,
  IncidentView,
  RecordIncidentBody,
} from '../../../../domain/contracts/incident.ts';
import type { ApiClient } from '../api/client.ts';
import { seg } from '../api/query.ts';

export function incidentCalls(api: ApiClient) {
  return {
    list: () => api.call<{ incidents: IncidentView[] }>('GET', '/api/legal/incidents'),
    record: (body: RecordIncidentBody, csrfToken: string) =>
      api.call<IncidentView>('POST', '/api/legal/incidents', { body, csrfToken }),
    authorityNotified: (id: string, body: AuthorityNotifiedBody, csrfToken: string) =>
      api.call<IncidentView>('POST', `/api/legal/incidents/${seg(id)}/authority-notified`, {
        body,
        csrfToken,
      }),
  };
}
