// The operators' diagnostic calls: starting an end-to-end check (PostgreSQL, S3, Temporal)
// as a workflow, and how one went; shapes from the diagnostic contract.
import type { DiagnosticView } from '../../../../domain/contracts/diagnostic.ts';
import type { ApiClient } from '../api/client.ts';
import { seg } from '../api/query.ts';

export function diagnosticCalls(api: ApiClient) {
  return {
    run: (csrfToken: string) => api.post<DiagnosticView>('/api/ops/diagnostics', {}, csrfToken),
    get: (id: string) => api.call<DiagnosticView>('GET', `/api/ops/diagnostics/${seg(id)}`),
  };
}
