// The legal team's area (legal and admin roles, behind two-factor authentication like every
// staff page: the staff layout checks it, and the API checks both again on every call).
import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ parent }) => {
  const { staff, needsMfa } = await parent();
  if (!needsMfa && staff.role !== 'legal' && staff.role !== 'admin') {
    error(403, 'This area is for the legal team.');
  }
  return {};
};
