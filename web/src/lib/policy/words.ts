// The privacy policy in plain words. Every retention figure comes from the policy table
// the code enforces (domain/retention-policy.ts): the words here explain, the table decides.
import {
  POLICY_VERSION,
  RETENTION_POLICY,
  RETENTION_SUBJECTS,
  type RetentionRule,
  type RetentionSubject,
} from '../../../../domain/retention-policy.ts';
import { formatDuration } from '../time.ts';

export { POLICY_VERSION, RETENTION_POLICY };

const d = (subject: RetentionSubject) => formatDuration(RETENTION_POLICY[subject].keepMs);

/** What each retention promise means for a creator, one explanation per row of the table. */
export const RETENTION_MEANING: Readonly<Record<RetentionSubject, string>> = {
  output: `Every video you generate is permanently deleted from our storage ${d('output')} after it is made, on every plan. After that nobody, including us, can download or recover it, so save the ones you want to keep. The only exception is a legal hold (a court or authority requiring us to keep something), which is recorded and lifted as soon as it ends.`,
  input: `Images, videos and voice recordings you upload to guide a generation are deleted ${d('input')} after upload.`,
  export: `When you ask for a copy of your data, the archive we prepare for you is deleted ${d('export')} after it is ready.`,
  temp: `Working files made while a video is generated are deleted as soon as the generation ends, whether it succeeds, fails or is cancelled; if something interrupts it, they go within ${d('temp')} at most.`,
  intermediate: `The steps of a script project (each scene's clip, the voice track, the subtitles) are kept exactly as long as the newest video that uses them, so you can edit a scene and make a new version, and are deleted on that video's timer; the steps of a run you cancel are deleted at once, and steps no video ever uses go within ${d('intermediate')}.`,
  sessionLog: `The record of where you signed in from (IP address, browser, times) is kept ${d('sessionLog')}, to protect your account.`,
  analyticsPersonal: `Usage analytics that could identify you are kept ${d('analyticsPersonal')}; after that only totals that cannot be traced back to anyone remain. You can refuse analytics altogether.`,
  supportTicket: `Conversations with our support team are kept ${d('supportTicket')}, so we can follow up on a problem.`,
  emailCommunication: `Emails we exchanged with you are kept ${d('emailCommunication')}.`,
  paymentRecord: `Tax law makes us keep payment and transaction records for ${d('paymentRecord')}. If you delete your account, they are detached from you where the law allows.`,
  deletedAccount: `When you delete your account, your profile, uploads, videos and history are deleted or anonymized within ${d('deletedAccount')}.`,
};

/** The table's rows, in its own order. */
export const RETENTION_ROWS: readonly RetentionRule[] = RETENTION_SUBJECTS.map(
  (subject) => RETENTION_POLICY[subject],
);

export interface PolicyPromise {
  id: string;
  title: string;
  meaning: string;
  /** Where a link to this promise lands on the policy page. */
  anchor?: string;
}

/** Your rights, and the other promises that are not durations. */
export const RIGHTS: readonly PolicyPromise[] = [
  {
    id: 'D-ACCESS',
    title: 'A copy of your data',
    meaning:
      'Ask for everything we hold about you and get it as JSON and CSV files, within 30 days of confirming it is you.',
  },
  {
    id: 'D-PORT',
    title: 'Take it with you',
    meaning: 'The copy also includes your account details, your usage history and the videos still stored.',
  },
  {
    id: 'D-RECTIFY',
    title: 'Correct it',
    meaning: 'Fix your name or email address yourself in your account settings, at any time.',
  },
  {
    id: 'D-ERASE',
    title: 'Delete your account',
    meaning:
      'Your profile, uploads, videos, usage history and analytics are erased or anonymized; running jobs and subscriptions are cancelled.',
  },
  {
    id: 'D-RECIPIENTS',
    title: 'We tell the AI providers too',
    meaning:
      'When you delete or correct data, every video model provider that processed it is told, and we record their answer.',
  },
  {
    id: 'D-RESTRICT',
    title: 'Pause processing',
    meaning:
      'While you dispute something, you can restrict us to storing your data only: no new generations or analytics with it.',
  },
  {
    id: 'D-OBJECT',
    title: 'Say no to marketing and analytics',
    meaning: 'Object at any time and we stop.',
  },
  {
    id: 'D-CONSENT',
    title: 'Consent is opt-in',
    meaning:
      'Marketing email and analytics cookies are off until you turn them on; we record when and to which policy version you agreed, and you can withdraw whenever you like.',
  },
  {
    id: 'D-DNT',
    title: 'Do Not Track is respected',
    meaning: 'If your browser sends Do Not Track or Global Privacy Control, we record no analytics for it.',
  },
  {
    id: 'D-VERIFY',
    title: 'Only you can ask',
    meaning:
      'We act on a request about your data only after confirming it is you, with a fresh code while signed in or a code we email you.',
  },
  {
    id: 'D-CLOCK',
    title: 'Deadlines you can see',
    meaning:
      'Each request has its legal deadline (one month under GDPR, 45 days under CCPA, extendable once with a notice and our reasons), shown to you while we work on it.',
  },
  {
    id: 'D-NODISCRIM',
    title: 'No penalty for using your rights',
    meaning: 'Using any of these rights never changes your price or the quality of the service.',
  },
  {
    id: 'D-NOTRAIN',
    title: 'Your work is not training data',
    meaning: 'Your uploads and videos are never used to train models for other customers.',
  },
  {
    id: 'D-MINOR',
    title: 'Young people',
    meaning:
      'You must be 18, or 13 to 17 with a parent or guardian’s consent. If we find an account of someone under age without consent, we stop and delete their data.',
  },
  {
    id: 'D-POLICY',
    title: 'Changes to this policy',
    meaning:
      'The policy has a version. We email you about important changes and ask for your agreement again when a change needs it.',
  },
];

export const SAFEGUARDS: readonly PolicyPromise[] = [
  {
    id: 'R-CRYPTO',
    title: 'Encrypted',
    meaning: 'Uploads and videos are encrypted at rest with AES-256, and travel over TLS.',
  },
  {
    id: 'R-COOKIE',
    title: 'Few, short cookies',
    meaning:
      'Your sign-in cookie ends when you close the browser; no cookie we set lasts longer than 2 years.',
  },
  {
    id: 'R-NOCARD',
    title: 'No card numbers',
    meaning: 'Payments go through our payment processor; we never store a full card number.',
  },
  {
    id: 'R-PROOF',
    title: 'Deletion you can prove',
    meaning:
      'Every deletion leaves a record of what was deleted, when and why, and a check that it is really gone.',
  },
  {
    id: 'R-HOLD',
    title: 'Legal holds are recorded',
    meaning:
      'If the law makes us keep something, the hold, its reason and its release are recorded, and deletion resumes when it ends.',
  },
  {
    id: 'S-MOD',
    title: 'Checked before generation',
    meaning:
      'Prompts and uploads are checked automatically and, when flagged, by a person; harmful content such as deepfakes of real people without consent is refused.',
  },
  {
    id: 'S-MFA',
    title: 'Staff access is limited',
    meaning:
      'Staff see only what their role needs, must use two-factor authentication, and every access to your data is logged.',
  },
];
