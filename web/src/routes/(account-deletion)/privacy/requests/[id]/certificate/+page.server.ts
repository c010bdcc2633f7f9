// The deletion certificate by the signed link of the last email (the account can no
// longer sign in, so the link is the only key). Without a link it is the signed-out view
// of a deletion under way: what is still being done, and that the link will come by email.
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { user } = await event.parent();
  const token = event.url.searchParams.get('token');
  if (!token) return { state: 'no_link' as const, signedIn: Boolean(user), certificate: null, problem: null };
  const result = await serverApi(event).accountDeletion.certificate(event.params.id, token);
  if (result.ok)
    return { state: 'ready' as const, signedIn: Boolean(user), certificate: result.data, problem: null };
  const code = result.problem.code;
  return {
    state: code === 'certificate_not_ready' ? ('preparing' as const) : ('failed' as const),
    signedIn: Boolean(user),
    certificate: null,
    problem:
      code === 'invalid_link' || result.problem.status === 400
        ? 'This link is invalid or has expired. Certificate links work for 30 days after the deletion.'
        : friendlyMessage(result.problem),
  };
};
