// What a request knows about who is calling, once the session middleware has run.
import type { Session, User } from '../../db/entities/index.ts';

export interface AuthContext {
  user: User;
  session: Session;
}

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
