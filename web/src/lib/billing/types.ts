// The billing and subscription API's shapes, from their contracts
// (domain/contracts/billing.ts, domain/contracts/subscription.ts).
export type {
  Checkout,
  CreditPack,
  Credits,
  LedgerEntry,
  PaymentList,
  PaymentView,
} from '../../../../domain/contracts/billing.ts';
export type {
  BillingPortal,
  InvoiceList,
  InvoiceView,
  PlanList,
  SubscriptionOverview,
  SubscriptionPlanView,
  SubscriptionView,
} from '../../../../domain/contracts/subscription.ts';
