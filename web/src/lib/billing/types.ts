// The billing API's shapes (api/routes/billing.ts, credits.ts) as the site uses them,
// until their contract lands in domain/contracts/billing.ts: then this file becomes one
// `export type { ... } from` line. The ledger's vocabulary already comes from domain/.
import type { LedgerKind } from '../../../../domain/credits.ts';

export interface LedgerEntry {
  id: number;
  kind: LedgerKind;
  /** The change to the balance (negative when credits were taken). */
  amount: number;
  credits: number;
  jobId: string | null;
  note: string | null;
  createdAt: string;
}

export interface Credits {
  balance: number;
  entries: LedgerEntry[];
  nextBefore: number | null;
}

export interface CreditPack {
  id: string;
  credits: number;
  /** Price in the currency's smallest unit (cents). */
  amount: number;
  currency: string;
  label: string;
}

export interface PaymentView {
  id: string;
  pack: string;
  credits: number;
  amount: number;
  currency: string;
  status: 'pending' | 'paid' | 'expired';
  createdAt: string;
  paidAt: string | null;
}

export interface Checkout {
  sessionId: string;
  url: string;
}
