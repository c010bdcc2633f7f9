// The site's sections, in menu order. This is the extension point for pages others add:
// each planned section already has its entry here, and an entry shows in the header as
// soon as its route exists (a `+page` at that path), so adding `src/routes/create/+page.svelte`
// is all it takes to put "Create" in the menu. Staff entries show only to staff roles.
import { routes } from '$app/manifest';
import { isStaff } from '../../../domain/accounts.ts';
import type { User } from './api/types.ts';

export interface NavEntry {
  /** A route without parameters, e.g. `/library`. */
  route: string;
  label: string;
  audience: 'signed-in' | 'staff';
}

export const NAV: readonly NavEntry[] = [
  { route: '/create', label: 'Create', audience: 'signed-in' },
  { route: '/scripts', label: 'Scripts', audience: 'signed-in' },
  { route: '/library', label: 'Library', audience: 'signed-in' },
  { route: '/jobs', label: 'Jobs', audience: 'signed-in' },
  { route: '/credits', label: 'Credits', audience: 'signed-in' },
  { route: '/privacy-center', label: 'Privacy center', audience: 'signed-in' },
  { route: '/account', label: 'Account', audience: 'signed-in' },
  { route: '/staff', label: 'Staff', audience: 'staff' },
];

/** Where a creator lands after signing in: the first of these that exists. */
const HOME_ROUTES = ['/create', '/library', '/account'] as const;

// A route group (`/(script)/scripts`) names a feature's folder, not a part of the URL.
const pages = new Set<string>(
  routes.filter((r) => r.page).map((r) => r.id.replace(/\/\([^)]+\)/g, '') || '/'),
);

export const routeExists = (route: string): boolean => pages.has(route);

/** The entries this user sees: nothing before sign-in or while a parent's consent is pending. */
export function navFor(user: User | null): NavEntry[] {
  if (!user || user.status !== 'active') return [];
  return NAV.filter(
    (entry) => routeExists(entry.route) && (entry.audience === 'signed-in' || isStaff(user.role)),
  );
}

export function homeRoute(): string {
  return HOME_ROUTES.find(routeExists) ?? '/account';
}
