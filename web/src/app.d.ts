import type { User } from '#lib/accounts/types.ts';

declare global {
  namespace App {
    /** Data every page has, from the root layout's load. */
    interface PageData {
      /** Who is signed in, or null. */
      user: User | null;
      /** The CSRF token forms carry; empty when the API could not be reached. */
      csrfToken: string;
      apiAvailable: boolean;
    }
  }
}
export {};
