// The site's sections, in menu order. This is the extension point for pages others add:
// each planned section already has its entry here, and an entry shows in the header as
// soon as its route exists (a `+page` at that path), so adding `src/routes/create/+page.svelte`
// is all it takes to put "Create" in the menu (inside a feature's route group or not). Staff entries show only to staff roles.
import { routes } from '$app/manifest';
import type { Path } from '$app/types';
import { isStaff } from '../../../domain/accounts.ts';
import type { User } from './accounts/types.ts';

export interface NavEntry {
  /** A route without parameters, as `resolve` takes it: `library` for /library. */
  route: Path;
  label: string;
  audience: 'signed-in' | 'staff';
}

export const NAV: readonly NavEntry[] = [
  { route: 'create', label: 'Create', audience: 'signed-in' },
  { route: 'scripts', label: 'Scripts', audience: 'signed-in' },
  { route: 'library', label: 'Library', audience: 'signed-in' },
  { route: 'jobs', label: 'Jobs', audience: 'signed-in' },
  { route: 'credits', label: 'Credits', audience: 'signed-in' },
  { route: 'privacy-center', label: 'Privacy center', audience: 'signed-in' },
  { route: 'account', label: 'Account', audience: 'signed-in' },
  { route: 'support', label: 'Support', audience: 'signed-in' },
  { route: 'staff', label: 'Staff', audience: 'staff' },
];

/** Where a creator lands after signing in: the first of these that exists. */
const HOME_ROUTES = ['create', 'library', 'account'] as const satisfies readonly Path[];

/**
 * A route's pattern as its address shows it: route groups, which name the feature a page
 * belongs to (`/(generation)/jobs/[id]`), are not part of it (`/jobs/[id]`).
 */
export const routePattern = (id: string): string => id.replace(/\/\([^/)]+\)/g, '') || '/';

const pages = new Set<string>(routes.filter((r) => r.page).map((r) => routePattern(r.id)));

export const routeExists = (route: Path): boolean => pages.has(`/${route}`);

/** The entries this user sees: nothing before sign-in or while a parent's consent is pending. */
export function navFor(user: User | null): NavEntry[] {
  if (!user || user.status !== 'active') return [];
  return NAV.filter(
    (entry) => routeExists(entry.route) && (entry.audience === 'signed-in' || isStaff(user.role)),
  );
}

export function homePath(): Path {
  return HOME_ROUTES.find(routeExists) ?? 'account';
}

/** The same, as an address to redirect to. */
export const homeRoute = (): string => `/${homePath()}`;
