import { API_INTERNAL_URL } from '$app/env/private';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ fetch }) => {
  const api = API_INTERNAL_URL;
  try {
    const res = await fetch(`${api}/readyz`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    return { status: body.status, checks: body.checks };
  } catch {
    return { status: 'unavailable', checks: {} };
  }
};
