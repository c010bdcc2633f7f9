import { describe, expect, it } from 'vitest';
import { RETENTION_POLICY, retentionMs } from '../../domain/policy.ts';
import { DAY } from '../../domain/time.ts';

// The production values the privacy policy promises; tests elsewhere shorten them only
// through configuration, never by editing this table.
describe('retention policy table', () => {
  it('[R-OUT-7D] keeps generated videos 7 days', () => {
    expect(RETENTION_POLICY.output.keepMs).toBe(7 * DAY);
    expect(RETENTION_POLICY.output.promise).toBe('R-OUT-7D');
  });
  it('[R-IN-30D] keeps uploads 30 days', () => {
    expect(RETENTION_POLICY.input.keepMs).toBe(30 * DAY);
  });
  it('[R-SESSION-30D] keeps session logs 30 days', () => {
    expect(RETENTION_POLICY.sessionLog.keepMs).toBe(30 * DAY);
  });
  it('[R-ANALYTICS-12M] keeps identifying analytics 12 months', () => {
    expect(RETENTION_POLICY.analyticsPersonal.keepMs).toBe(365 * DAY);
  });
  it('[R-SUPPORT-3Y] keeps support tickets 3 years and email 2 years', () => {
    expect(RETENTION_POLICY.supportTicket.keepMs).toBe(3 * 365 * DAY);
    expect(RETENTION_POLICY.emailCommunication.keepMs).toBe(2 * 365 * DAY);
  });
  it('[R-PAY-7Y] keeps payment records 7 years', () => {
    expect(RETENTION_POLICY.paymentRecord.keepMs).toBe(7 * 365 * DAY);
  });
  it('[R-ACCT-90D] erases a deleted account within 90 days', () => {
    expect(RETENTION_POLICY.deletedAccount.keepMs).toBe(90 * DAY);
  });
  it('shortens durations only by an explicit time scale', () => {
    expect(retentionMs('output')).toBe(7 * DAY);
    expect(retentionMs('output', 1 / (7 * DAY))).toBe(1);
    expect(Object.isFrozen(RETENTION_POLICY)).toBe(true);
  });
});
