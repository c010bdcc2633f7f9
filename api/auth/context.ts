// What a request knows about who is calling, once the session middleware has run.
import type { LiveSession } from '../../stores/accounts.ts';

export type AuthContext = LiveSession;

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: AuthContext;
      /** Random id of a signed-out browser, the CSRF binding before sign-in. */
      visitorId?: string;
    }
  }
}

export {};
