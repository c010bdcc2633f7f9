// What a data export holds (D-ACCESS, D-PORT): every category of data kept about a
// person, the query that reads it page by page, and the words of the readable summary
// (why it is processed, where it came from, who received it, how long it is kept).
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { BILLING_CATEGORIES, SUPPORT_CATEGORIES } from './categories-billing.ts';
import { SCRIPT_CATEGORIES } from './script-categories.ts';

export interface ExportCategory {
  /** File name in the archive: `data/<name>.json` and `data/<name>.csv`. */
  name: string;
  title: string;
  purpose: string;
  source: string;
  /** The retention rule that applies, by the policy table's subject (or words when none does). */
  retention: string;
  table: string;
  /** `expression as "alias"`; the aliases are the JSON keys and CSV columns. */
  columns: string[];
  /** Filter on the person, with `?` for the user id (every `?` gets it). */
  where: string;
  /** Unique, ordered key for keyset paging. */
  key: string;
  keyStart: string;
}

const UUID_ZERO = '00000000-0000-0000-0000-000000000000';
const keep = (subject: keyof typeof RETENTION_POLICY) =>
  `${RETENTION_POLICY[subject].what}: ${RETENTION_POLICY[subject].period}`;

export const EXPORT_CATEGORIES: readonly ExportCategory[] = [
  {
    name: 'profile',
    title: 'Your account',
    purpose: 'To run your account: signing in, age checks, contacting you, your credits.',
    source: 'You, when you signed up and in your account settings.',
    retention: `Until you delete your account; then ${keep('deletedAccount')}`,
    table: 'users',
    columns: [
      'id as "id"',
      'email as "email"',
      'name as "name"',
      'date_of_birth::text as "dateOfBirth"',
      'parent_email as "parentEmail"',
      'parental_consent_at as "parentalConsentAt"',
      'role as "role"',
      'status as "status"',
      'email_verified_at as "emailVerifiedAt"',
      '(mfa_enabled_at is not null) as "twoFactorEnabled"',
      'credit_balance as "creditBalance"',
      'restricted_at as "processingRestrictedAt"',
      'objected_to_analytics_at as "objectedToAnalyticsAt"',
      'objected_to_marketing_at as "objectedToMarketingAt"',
      'policy_version_accepted as "policyVersionAccepted"',
      'policy_accepted_at as "policyAcceptedAt"',
      'created_at as "createdAt"',
      'updated_at as "updatedAt"',
    ],
    where: 'id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  {
    name: 'preferences',
    title: 'Your preferences',
    purpose: 'To show the site in your language and theme and prefill your generation settings.',
    source: 'You, in your account settings.',
    retention: 'Until you change them or delete your account.',
    table: 'users',
    columns: ['id as "userId"', 'preferences as "preferences"'],
    where: 'id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  {
    name: 'consents',
    title: 'Your consent choices',
    purpose: 'To prove what you agreed to (analytics, marketing email) and when.',
    source: 'You, on the cookie banner, at sign-up and in your settings.',
    retention: 'Until you delete your account.',
    table: 'consents',
    columns: [
      'id as "id"',
      'purpose as "purpose"',
      'granted as "granted"',
      'policy_version as "policyVersion"',
      'source as "source"',
      'created_at as "createdAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: '0',
  },
  {
    name: 'sessions',
    title: 'Your sign-ins (session log)',
    purpose: 'To keep you signed in and your account secure.',
    source: 'Your browser, when you sign in and use the site.',
    retention: keep('sessionLog'),
    table: 'sessions',
    columns: [
      'id as "id"',
      'created_at as "createdAt"',
      'last_seen_at as "lastSeenAt"',
      'expires_at as "expiresAt"',
      'revoked_at as "revokedAt"',
      'ip as "ipAddress"',
      'user_agent as "browser"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  {
    name: 'credit-ledger',
    title: 'Your credits and payments',
    purpose: 'To charge exactly what each video cost, and for tax records.',
    source: 'Our records of your grants, purchases and jobs.',
    retention: keep('paymentRecord'),
    table: 'credit_ledger',
    columns: [
      'id as "id"',
      'kind as "kind"',
      'amount as "balanceChange"',
      'credits as "credits"',
      'job_id as "jobId"',
      'reference as "reference"',
      'note as "note"',
      'created_at as "createdAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: '0',
  },
  ...BILLING_CATEGORIES,
  {
    name: 'jobs',
    title: 'Your generation jobs (usage history)',
    purpose: 'To make the videos you asked for, and to show your history.',
    source: 'You (prompts and settings), and the providers (status, timings).',
    retention: 'Until you delete your account; the videos themselves as under "Generated videos".',
    table: 'generation_jobs',
    columns: [
      'id as "id"',
      'created_at as "createdAt"',
      'model as "model"',
      'provider as "provider"',
      'prompt as "prompt"',
      'parameters as "parameters"',
      'status as "status"',
      'credits_quoted as "creditsQuoted"',
      'credits_charged as "creditsCharged"',
      'failure_code as "failureCode"',
      'moderation_verdict as "moderationVerdict"',
      'output_asset_id as "outputAssetId"',
      'parent_job_id as "parentJobId"',
      'revision_kind as "revisionKind"',
      'started_at as "startedAt"',
      'finished_at as "finishedAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  {
    name: 'files',
    title: 'Your files (uploads, videos, exports)',
    purpose: 'To store your uploads and videos until their deletion time.',
    source: 'You (uploads) and the generation of your videos.',
    retention: `${keep('output')}; ${keep('input')}; ${keep('export')}; ${keep('intermediate')}`,
    table: 'assets',
    columns: [
      'id as "id"',
      'kind as "kind"',
      'status as "status"',
      'content_type as "contentType"',
      'size_bytes as "sizeBytes"',
      'sha256 as "sha256"',
      'job_id as "jobId"',
      'created_at as "createdAt"',
      'stored_at as "storedAt"',
      'delete_at as "deleteAt"',
      'deleted_at as "deletedAt"',
      'deletion_reason as "deletionReason"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  {
    name: 'analytics',
    title: 'Your usage analytics',
    purpose: 'To understand how the site is used and improve it (only with your consent).',
    source: 'Your browser, when you allowed analytics.',
    retention: keep('analyticsPersonal'),
    table: 'analytics_events',
    columns: [
      'id as "id"',
      'type as "type"',
      'name as "name"',
      'path as "path"',
      'value_ms as "valueMs"',
      'created_at as "createdAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: '0',
  },
  {
    name: 'audit-events',
    title: 'Security and privacy events about you',
    purpose: 'To keep your account secure and to prove how your rights requests were handled.',
    source: 'Our systems, when something security-relevant happened to your account.',
    retention: 'Kept as a tamper-evident log; it refers to you only by your account id.',
    table: 'audit_events',
    columns: [
      'id as "id"',
      'occurred_at as "occurredAt"',
      'action as "action"',
      'actor_role as "actorRole"',
      'target_type as "targetType"',
      'target_id as "targetId"',
      'details as "details"',
    ],
    where: 'subject_user_id = ?',
    key: 'id',
    keyStart: '0',
  },
  {
    name: 'privacy-requests',
    title: 'Your privacy requests',
    purpose: 'To answer your rights requests within the legal deadlines.',
    source: 'You, on your privacy page.',
    retention: 'Kept as the record of how your requests were answered.',
    table: 'rights_requests',
    columns: [
      'id as "id"',
      'type as "type"',
      'jurisdiction as "jurisdiction"',
      'status as "status"',
      'created_at as "createdAt"',
      'verified_at as "verifiedAt"',
      'due_at as "dueAt"',
      'extended_due_at as "extendedDueAt"',
      'extension_reason as "extensionReason"',
      'completed_at as "completedAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  {
    name: 'recipients',
    title: 'Who received your data (video providers)',
    purpose: 'To make your videos with the model you chose, and to pass on your erasure requests.',
    source: 'Our records of each job sent to a provider.',
    retention:
      'Until you delete your account; then kept without your identity as proof of the erasure notices.',
    table: 'data_recipients',
    columns: [
      'id as "id"',
      'job_id as "jobId"',
      'provider as "provider"',
      'data_categories as "dataSent"',
      'input_count as "inputImages"',
      'sent_at as "sentAt"',
      'erasure_outcome as "erasureOutcome"',
      'erasure_completed_at as "erasureCompletedAt"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: UUID_ZERO,
  },
  ...SUPPORT_CATEGORIES,
  {
    name: 'emails',
    title: 'Emails we sent you',
    purpose: 'To show what we told you and when.',
    source: 'Our email log (which message, when, and whether your mail server took it; not the text).',
    retention: keep('emailCommunication'),
    table: 'email_log',
    columns: [
      'id as "id"',
      'template as "message"',
      'category as "category"',
      'sent_at as "sentAt"',
      'outcome as "outcome"',
    ],
    where: 'user_id = ?',
    key: 'id',
    keyStart: '0',
  },
  // Script projects, their scenes and revisions (activities/rights-request/script-categories.ts).
  ...SCRIPT_CATEGORIES,
];

/** Services that process data for us (besides the video providers named per job). */
export const PROCESSORS = [
  'Our object storage (S3-compatible, encrypted with AES-256): your uploads, videos and exports.',
  'Our email delivery service: the emails we send you.',
  'Our payment processor (Stripe): purchases and subscriptions (we never store card numbers).',
];

/** The archive's README: the readable summary of the export. */
export function exportSummary(input: {
  requestId: string;
  type: 'access' | 'portability';
  generatedAt: Date;
  counts: Record<string, number>;
  providers: string[];
  videos: number;
}): string {
  const lines: string[] = [];
  lines.push('CLIPWISE: A COPY OF YOUR PERSONAL DATA');
  lines.push('');
  lines.push(`Request: ${input.requestId} (${input.type})`);
  lines.push(`Made: ${input.generatedAt.toISOString()}`);
  lines.push('');
  lines.push('Every category is in data/ twice: as JSON (machine-readable) and as CSV (for spreadsheets).');
  if (input.type === 'portability') {
    lines.push(`Your generated videos still stored are in videos/ (${input.videos}).`);
  }
  lines.push('');
  lines.push('WHAT WE HOLD, WHY, WHERE IT CAME FROM, HOW LONG WE KEEP IT');
  for (const c of EXPORT_CATEGORIES) {
    lines.push('');
    lines.push(`${c.title} (data/${c.name}.json, ${input.counts[c.name] ?? 0} record(s))`);
    lines.push(`  Purpose: ${c.purpose}`);
    lines.push(`  Source: ${c.source}`);
    lines.push(`  Kept: ${c.retention}`);
  }
  lines.push('');
  lines.push('WHO RECEIVED YOUR DATA');
  if (input.providers.length === 0) {
    lines.push('  No video provider: your videos were made by our own renderer.');
  } else {
    for (const p of input.providers)
      lines.push(`  ${p}: the prompts and input images of the jobs you sent to it.`);
  }
  for (const p of PROCESSORS) lines.push(`  ${p}`);
  lines.push('');
  lines.push('RETENTION PERIODS (our published policy)');
  for (const rule of Object.values(RETENTION_POLICY))
    lines.push(`  ${rule.what}: ${rule.period} [${rule.promise}]`);
  lines.push('');
  lines.push('Your rights: access, portability, correction, deletion, restriction, objection and');
  lines.push(
    'withdrawal of consent, from your privacy page. You may also complain to a data protection authority.',
  );
  return `${lines.join('\n')}\n`;
}
