// Why a hold is placed or released, or a deadline extended: a few words at least, recorded
// with it (R-HOLD, D-CLOCK); the API checks the same bounds (domain/contracts/legal-hold.ts).
export const REASON_MIN = 3;
export const REASON_MAX = 2000;

/** What is wrong with a reason, in words, or nothing. */
export function reasonProblem(reason: string): string | undefined {
  if (reason.length < REASON_MIN) return 'Give the reason in a few words: it is recorded with the hold.';
  if (reason.length > REASON_MAX) return `Keep it under ${REASON_MAX} characters.`;
  return undefined;
}
