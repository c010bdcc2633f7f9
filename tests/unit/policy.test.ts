import { describe, expect, it } from 'vitest';
import { RETENTION_POLICY, retentionMs } from '../../domain/retention-policy.ts';
import { DAY } from '../../domain/time.ts';
import { ConfigError, loadConfig } from '../../config/index.ts';

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
  it('shortens durations only by explicit configuration, which production refuses', () => {
    expect(retentionMs('output')).toBe(7 * DAY);
    const shortened = loadConfig({ NODE_ENV: 'test', DURATION_OVERRIDES: 'output=1,unverifiedRequest=5' });
    expect(shortened.durations.retentionMs('output')).toBe(1);
    expect(shortened.durations.retentionMs('input')).toBe(30 * DAY);
    expect(shortened.durations.unverifiedRequestMs).toBe(5);
    expect(() => loadConfig({ NODE_ENV: 'test', DURATION_OVERRIDES: 'output=soon' })).toThrow(ConfigError);
    expect(loadConfig({ NODE_ENV: 'test' }).durations.retentionMs('output')).toBe(7 * DAY);
    expect(Object.isFrozen(RETENTION_POLICY)).toBe(true);
  });
});
