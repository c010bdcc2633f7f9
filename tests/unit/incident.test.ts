// S-BREACH's clock, pure (domain/incident.ts): the authority's deadline is 72 hours from
// discovery, and a notification is on time up to that very moment.
import { describe, expect, it } from 'vitest';
import { authorityDeadline, authorityStatus } from '../../domain/incident.ts';

const discoveredAt = '2026-12-01T09:30:00.000Z';
const deadline = Date.parse('2026-12-04T09:30:00.000Z');

describe("the authority's 72 hours [S-BREACH]", () => {
  it('ends 72 hours after discovery, to the millisecond, however the time is given', () => {
    expect(authorityDeadline(discoveredAt).getTime()).toBe(deadline);
    expect(authorityDeadline(new Date(discoveredAt)).getTime()).toBe(deadline);
  });

  it('is due up to the deadline itself, overdue a millisecond after', () => {
    expect(authorityStatus(new Date(deadline), null, deadline - 1)).toBe('due');
    expect(authorityStatus(new Date(deadline), null, deadline)).toBe('due');
    expect(authorityStatus(new Date(deadline), null, deadline + 1)).toBe('overdue');
  });

  it('a notification at the deadline is on time, one a millisecond later is late, whatever the time now', () => {
    const at = (ms: number) => new Date(ms).toISOString();
    expect(authorityStatus(at(deadline), at(deadline), deadline + 10 * 86_400_000)).toBe('notified');
    expect(authorityStatus(at(deadline), at(deadline - 3_600_000), deadline)).toBe('notified');
    expect(authorityStatus(at(deadline), at(deadline + 1), deadline - 1)).toBe('notified_late');
  });
});
