// The billing API's shapes, from its contract (domain/contracts/billing.ts).
export type {
  Checkout,
  CreditPack,
  Credits,
  LedgerEntry,
  PaymentView,
} from '../../../../domain/contracts/billing.ts';
