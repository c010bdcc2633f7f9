// What credits cost. Payment goes through Stripe Checkout: the card is entered on
// Stripe's page and never reaches this platform (R-NOCARD).
export interface CreditPack {
  id: string;
  credits: number;
  /** Price in the currency's smallest unit (cents). */
  amount: number;
  currency: 'usd';
  label: string;
}

export const CREDIT_PACKS: readonly CreditPack[] = Object.freeze([
  { id: 'starter', credits: 100, amount: 500, currency: 'usd', label: '100 credits' },
  { id: 'creator', credits: 500, amount: 2000, currency: 'usd', label: '500 credits' },
  { id: 'studio', credits: 2000, amount: 7000, currency: 'usd', label: '2,000 credits' },
]);

export const findPack = (id: string): CreditPack | undefined => CREDIT_PACKS.find((p) => p.id === id);

export const PAYMENT_STATUSES = ['pending', 'paid', 'expired'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
