// What a use case is given: the shared clients (database, object store, Temporal, mail,
// Stripe, configuration) and, for actions taken by a person, who they are. The API's
// routes and the operator commands call use cases with these; nothing here knows HTTP.
import type { Role } from '../domain/accounts.ts';
import type { Clients } from '../platform/clients.ts';

export type UseCaseDeps = Omit<Clients, 'close'>;

/** The person a use case acts for: a signed-in creator or a staff member. */
export interface Actor {
  id: string;
  role: Role;
}
