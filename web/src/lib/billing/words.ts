// Words for the billing pages: what each credit ledger entry means to the person whose
// credits moved, keyed by the domain's vocabulary so a new kind is a type error until it
// has words, and prices in the pack's currency.
import type { LedgerKind } from '../../../../domain/billing.ts';

/** What each ledger entry means to the person whose credits moved. */
export const LEDGER_WORDS: Readonly<Record<LedgerKind, { label: string; explain: string }>> = {
  grant: { label: 'Free credits', explain: 'Credits given to you' },
  purchase: { label: 'Bought', explain: 'Credits you bought' },
  reserve: { label: 'Set aside', explain: 'Set aside while a video was made' },
  capture: { label: 'Charged', explain: 'The video was made: the credits set aside paid for it' },
  release: { label: 'Returned', explain: 'Given back: the video was not made, or cost less' },
  refund: { label: 'Refunded', explain: 'Refunded to you' },
  expire: { label: 'Expired', explain: 'Credits that reached their end date' },
};

/** A pack's price, from the currency's smallest unit: "€9.00". */
export const priceWords = (amount: number, currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
