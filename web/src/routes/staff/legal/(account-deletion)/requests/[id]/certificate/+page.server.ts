// The deletion certificate of one request, for the legal team (R-PROOF).
import { error } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { must } from '#lib/server/results.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  if (needsMfa) error(403, 'Turn on two-factor authentication to open certificates.');
  const result = await serverApi(event).accountDeletion.legalCertificate(event.params.id);
  return { certificate: must(result, 'This request has no certificate (yet).') };
};
