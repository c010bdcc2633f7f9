// The review queue's calls (S-MOD): held requests and a person's decision on one.
import type { HeldJob, ReviewDecisionBody } from '../../../../domain/contracts/generation.ts';
import type { ApiClient } from '../api/client.ts';
import { seg } from '../api/query.ts';

export function moderationCalls(api: ApiClient) {
  return {
    queue: () => api.call<{ jobs: HeldJob[] }>('GET', '/api/moderation/queue'),
    decide: (id: string, body: ReviewDecisionBody, csrfToken: string) =>
      api.call<{ id: string; decision: 'approved' | 'rejected' }>(
        'POST',
        `/api/moderation/jobs/${seg(id)}/decision`,
        { body, csrfToken },
      ),
  };
}
