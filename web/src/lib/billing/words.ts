// Words for the billing pages: what each credit ledger entry means to the person whose
// credits moved, keyed by the domain's vocabulary so a new kind is a type error until it
// has words, and prices in the pack's currency.
import type { LedgerKind } from '../../../../domain/billing.ts';
import type { GrantStatus } from '../../../../domain/subscription.ts';

/** What each ledger entry means to the person whose credits moved. */
export const LEDGER_WORDS: Readonly<Record<LedgerKind, { label: string; explain: string }>> = {
  grant: { label: 'Free credits', explain: 'Credits given to you' },
  purchase: { label: 'Bought', explain: 'Credits you bought' },
  reserve: { label: 'Set aside', explain: 'Set aside while a video was made' },
  capture: { label: 'Charged', explain: 'The video was made: the credits set aside paid for it' },
  release: { label: 'Returned', explain: 'Given back: the video was not made, or cost less' },
  refund: { label: 'Refunded', explain: 'Refunded to you' },
  expire: { label: 'Expired', explain: 'Credits that reached their end date' },
  subscription: { label: 'Plan credits', explain: 'Your plan’s credits for a paid month' },
  refunded: { label: 'Refund', explain: 'Taken back: the payment that bought them was refunded' },
  disputed: { label: 'Disputed', explain: 'Taken back while the payment that bought them is disputed' },
  dispute_won: { label: 'Dispute closed', explain: 'Given back: the dispute closed in our favour' },
  owed_settled: { label: 'Owed', explain: 'Credits you owed after a refund or dispute, settled' },
  carried_forward: { label: 'Carried forward', explain: 'The total of entries older than 7 years' },
};

/** What became of an invoice's credits. */
export const GRANT_WORDS: Readonly<Record<GrantStatus, string>> = {
  none: 'No credits',
  held: 'Waiting: a payment failed',
  granted: 'Added',
  not_granted: 'Not added',
};

/** A pack's price, from the currency's smallest unit: "€9.00". */
export const priceWords = (amount: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
