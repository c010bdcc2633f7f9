// Words for the generation pages (create, jobs, a job): every vocabulary from domain/
// gets a plain sentence here, so a new job status or revision kind is a type error until
// the site can explain it.
import type { JobStatus } from '../../../../domain/generation.ts';
import { REVIEW_TIMEOUT_MS } from '../../../../domain/generation.ts';
import type { JobView } from '../../../../domain/contracts/generation.ts';
import type { RevisionKind } from '../../../../domain/generation.ts';
import type { InputRole } from '../../../../domain/models.ts';
import { formatDuration } from '../time.ts';

/** A sentence under the status badge, for each state a job can be in. */
export const JOB_STATUS_SENTENCES: Readonly<Record<JobStatus, string>> = {
  moderating: 'We are checking your prompt before anything is sent to the model.',
  awaiting_review: 'A person on our team needs to look at this request before it can start.',
  queued: 'Your video is waiting for its turn.',
  submitted: 'The model has your request and will start shortly.',
  running: 'The model is making your video.',
  saving: 'Your video is ready; we are saving it to your library.',
  succeeded: 'Your video is ready.',
  failed: 'This video could not be made.',
  cancelled: 'This job was cancelled.',
  rejected: 'This request was refused.',
};

export const REVIEW_WAIT_WORDS = formatDuration(REVIEW_TIMEOUT_MS);

export const ROLE_WORDS: Readonly<Record<InputRole, { label: string; hint: string }>> = {
  first_frame: { label: 'First frame', hint: 'The video starts from this image.' },
  last_frame: { label: 'Last frame', hint: 'The video ends on this image.' },
  reference: { label: 'Reference', hint: 'The model takes its look or subject from this image.' },
};

export const REVISION_WORDS: Readonly<
  Record<RevisionKind, { action: string; label: string; explain: string }>
> = {
  variation: {
    action: 'Make a variation',
    label: 'Variation',
    explain: 'Same settings, a prompt you can change, and a new seed.',
  },
  regenerate: {
    action: 'Regenerate',
    label: 'Regenerated',
    explain: 'Exactly the same request again, with a new seed.',
  },
  extend: {
    action: 'Extend',
    label: 'Extension',
    explain: 'A continuation of this video: describe what happens next.',
  },
};

/** "about 2 minutes", "less than a minute". */
export function etaWords(seconds: number): string {
  if (seconds < 60) return 'less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  return `about ${hours} hour${hours === 1 ? '' : 's'}`;
}

/** Queue position or time left, in words, when the provider says. */
export function waitWords(job: Pick<JobView, 'queuePosition' | 'etaSeconds'>): string | null {
  const parts: string[] = [];
  if (job.queuePosition != null) {
    parts.push(job.queuePosition <= 1 ? 'Next in the queue' : `Number ${job.queuePosition} in the queue`);
  }
  if (job.etaSeconds != null) parts.push(`ready in ${etaWords(job.etaSeconds)}`);
  if (!parts.length) return null;
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

/** "12 credits", "1 credit". */
export const creditWords = (n: number) => `${n} credit${Math.abs(n) === 1 ? '' : 's'}`;

/** A prompt cut to a length that fits a list row. */
export function shortPrompt(prompt: string, max = 90): string {
  const text = prompt.trim().replace(/\s+/g, ' ');
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}
