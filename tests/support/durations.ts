// Shorter retention durations for a test platform: the policy table scaled down by one
// factor (every subject keeps its proportion), as the DURATION_OVERRIDES setting takes
// them. Production never sets it (config refuses it there).
import { UNVERIFIED_REQUEST_TTL_MS } from '../../domain/rights-request.ts';
import { RETENTION_SUBJECTS, retentionMs } from '../../domain/retention-policy.ts';

export function scaledDurations(scale: number | string): string {
  const factor = Number(scale);
  const pairs: [string, number][] = RETENTION_SUBJECTS.map((s) => [s, retentionMs(s)]);
  pairs.push(['unverifiedRequest', UNVERIFIED_REQUEST_TTL_MS]);
  return pairs.map(([name, ms]) => `${name}=${Math.max(1, Math.round(ms * factor))}`).join(',');
}
