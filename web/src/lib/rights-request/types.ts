// The rights-request API's shapes, from its contract (domain/contracts/rights-request.ts).
// The vocabularies in it come from domain/rights-request.ts, so a new request type, status
// or step is a type error in the site until it has words for it.
import type {
  LegalRequestQueryInput,
  MyRequestQueryInput,
} from '../../../../domain/contracts/rights-request.ts';

export type {
  CreateRequestBody,
  LegalRequestList,
  LegalRequestView,
  RequestAudit,
  RequestList,
  RequestStep,
  RequestView,
} from '../../../../domain/contracts/rights-request.ts';

/** The legal list's filters as the site sends them (the API coerces the number). */
export type LegalRequestQuery = Omit<LegalRequestQueryInput, 'limit'> & { limit?: number };

/** My own list's filters as the site sends them (the API coerces the number). */
export type MyRequestQuery = Omit<MyRequestQueryInput, 'limit'> & { limit?: number };
