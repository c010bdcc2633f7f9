// The staff area (S-RBAC, S-MFA): staff roles only, and only after two-factor
// authentication in this session; the API checks the same on every call.
import { error } from '@sveltejs/kit';
import { isStaff } from '../../../../domain/accounts.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async (event) => {
  const staff = await requireUser(event);
  if (!isStaff(staff.role)) error(403, 'This area is for Clipwise staff.');
  return { staff, needsMfa: !staff.mfaEnabled };
};
