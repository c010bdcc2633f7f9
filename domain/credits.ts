// The credit ledger's vocabulary. Amounts are whole credits.
export const LEDGER_KINDS = [
  'grant',
  'purchase',
  'reserve',
  'capture',
  'release',
  'refund',
  'expire',
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];
