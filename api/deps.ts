// What route modules are built from: the shared clients plus the API's own services.
import type { Clients } from '../platform/clients.ts';
import type { Csrf } from './auth/csrf.ts';

export interface ApiDeps extends Clients {
  csrf: Csrf;
}
