// The retention policy table: the one source of every retention duration the code
// enforces and the privacy page publishes (PROMISES.md, section R). Tests may shorten
// the durations through configuration; they never change here.
import { DAY, days } from './time.ts';

export const POLICY_VERSION = '2026-11-01';

export const RETENTION_SUBJECTS = [
  'output',
  'input',
  'export',
  'temp',
  'intermediate',
  'sessionLog',
  'analyticsPersonal',
  'supportTicket',
  'emailCommunication',
  'paymentRecord',
  'deletedAccount',
] as const;
export type RetentionSubject = (typeof RETENTION_SUBJECTS)[number];

export interface RetentionRule {
  subject: RetentionSubject;
  /** Promise ID in PROMISES.md that this row keeps. */
  promise: string;
  /** How long the data is kept, in milliseconds. */
  keepMs: number;
  /** Words for the privacy page. */
  what: string;
  period: string;
}

export const RETENTION_POLICY: Readonly<Record<RetentionSubject, RetentionRule>> = Object.freeze({
  output: {
    subject: 'output',
    promise: 'R-OUT-7D',
    keepMs: days(7),
    what: 'Generated videos',
    period: '7 days after generation, on every plan',
  },
  input: {
    subject: 'input',
    promise: 'R-IN-30D',
    keepMs: days(30),
    what: 'Uploaded images, videos and voice recordings',
    period: '30 days after upload',
  },
  export: {
    subject: 'export',
    promise: 'D-ACCESS',
    keepMs: days(7),
    what: 'Your data export archives',
    period: '7 days after they are ready',
  },
  temp: {
    subject: 'temp',
    promise: 'R-TEMP',
    keepMs: DAY,
    what: 'Temporary processing files',
    period: 'deleted as soon as the generation ends; 1 day at most if anything interrupts it',
  },
  intermediate: {
    subject: 'intermediate',
    promise: 'R-INTERMEDIATE',
    // At most this long while no final video uses the file (a project left unfinished);
    // once one does, it is kept exactly as long as the newest final video that uses it.
    keepMs: days(7),
    what: 'Intermediate files of a script project (scene clips, voice tracks, subtitles)',
    period:
      'kept with the final video that uses them and deleted on its timer; at once when a project ends without a video, 7 days at most while none uses them',
  },
  sessionLog: {
    subject: 'sessionLog',
    promise: 'R-SESSION-30D',
    keepMs: days(30),
    what: 'Session logs (IP address, browser, times)',
    period: '30 days',
  },
  analyticsPersonal: {
    subject: 'analyticsPersonal',
    promise: 'R-ANALYTICS-12M',
    keepMs: days(365),
    what: 'Analytics that can identify you',
    period: '12 months; de-identified totals may be kept',
  },
  supportTicket: {
    subject: 'supportTicket',
    promise: 'R-SUPPORT-3Y',
    keepMs: days(3 * 365),
    what: 'Support tickets',
    period: '3 years',
  },
  emailCommunication: {
    subject: 'emailCommunication',
    promise: 'R-SUPPORT-3Y',
    keepMs: days(2 * 365),
    what: 'Email communications (the record of each email sent to you, and the marketing emails sent)',
    period: '2 years',
  },
  paymentRecord: {
    subject: 'paymentRecord',
    promise: 'R-PAY-7Y',
    keepMs: days(7 * 365),
    what: 'Payment and transaction records',
    period: '7 years for tax law, detached from you after account deletion',
  },
  deletedAccount: {
    subject: 'deletedAccount',
    promise: 'R-ACCT-90D',
    keepMs: days(90),
    what: 'Account data after you delete your account',
    period: 'deleted or anonymized within 90 days',
  },
});

/** A retention duration as the policy table sets it (a test stack may configure shorter ones). */
export function retentionMs(subject: RetentionSubject): number {
  return RETENTION_POLICY[subject].keepMs;
}
