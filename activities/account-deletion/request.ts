// What every account-deletion activity shares: the clients it is built from, and the
// request it works for with the audit events it records about it (D-ERASE, S-AUDIT).
import type { MikroORM } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import type { Config } from '../../config/index.ts';
import type { RightsRequest } from '../../db/entities/index.ts';
import type { Mailer } from '../../platform/mail.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { systemRequestAudit } from '../rights-request/records.ts';

export { loadRequestRow as loadDeletionRequest } from '../rights-request/records.ts';

export interface DeletionDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  mailer: Mailer;
  /** Subscriptions are cancelled at Stripe before anything is erased. */
  stripe: Stripe;
}

/** The ids every step of a deletion is keyed by. */
export interface DeletionIds {
  requestId: string;
  userId: string;
}

/** An audit event about the deletion, by the system, naming the request and why (origin). */
export const deletionAudit = (
  request: RightsRequest,
  action: string,
  details: Record<string, unknown> = {},
) => systemRequestAudit(request, action, { requestId: request.id, origin: request.origin, ...details });
