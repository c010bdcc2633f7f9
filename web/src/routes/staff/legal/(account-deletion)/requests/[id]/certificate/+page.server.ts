// The deletion certificate of one request, for the legal team.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  if (needsMfa) error(403, 'Turn on two-factor authentication to open certificates.');
  const result = await serverApi(event).accountDeletion.legalCertificate(event.params.id);
  if (!result.ok) {
    if (result.problem.status === 404 || result.problem.status === 400) {
      error(404, 'This request has no certificate (yet).');
    }
    error(result.problem.status >= 400 ? result.problem.status : 503, friendlyMessage(result.problem));
  }
  return { certificate: result.data };
};
