// Durations and moments in plain words ("6 days 4 hours", "5 minutes ago").
import { DAY, HOUR, MINUTE } from '../../../domain/time.ts';

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * Time left, in at most two units: "6 days 4 hours", "3 hours 20 minutes", "12 minutes",
 * "less than a minute". Zero or less is "now".
 */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'now';
  if (ms < MINUTE) return 'less than a minute';
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  if (hours > 0)
    return minutes > 0 ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(hours, 'hour');
  return plural(minutes, 'minute');
}

/** A policy duration in the largest whole unit: "7 days", "12 months", "3 years", "1 day". */
export function formatDuration(ms: number): string {
  const days = Math.round(ms / DAY);
  if (days >= 365 && days % 365 === 0) {
    const years = days / 365;
    return years === 1 ? '12 months' : plural(years, 'year');
  }
  if (days >= 1) return plural(days, 'day');
  const hours = Math.round(ms / HOUR);
  if (hours >= 1) return plural(hours, 'hour');
  return plural(Math.max(1, Math.round(ms / MINUTE)), 'minute');
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const ms = now - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return '';
  if (ms < MINUTE) return 'just now';
  if (ms < HOUR) return `${plural(Math.floor(ms / MINUTE), 'minute')} ago`;
  if (ms < DAY) return `${plural(Math.floor(ms / HOUR), 'hour')} ago`;
  return `${plural(Math.floor(ms / DAY), 'day')} ago`;
}

/**
 * A date and time for people, in UTC and saying so: pages are rendered on the server, which
 * cannot know the reader's time zone, and the browser must show the same words.
 */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return `${date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC`;
}
