// The policy calls (D-POLICY): the published versions and accepting the current one.
import type { ApiClient } from '../api/client.ts';
import type { PolicyAccepted, PolicyInfo } from './types.ts';

export function policyCalls(api: ApiClient) {
  return {
    policy: () => api.call<PolicyInfo>('GET', '/api/privacy/policy'),
    accept: (version: string, csrfToken: string) =>
      api.call<PolicyAccepted>('POST', '/api/privacy/policy/accept', { body: { version }, csrfToken }),
  };
}
