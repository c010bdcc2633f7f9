// Generation jobs: the project's own status vocabulary, shared by every provider.
export const JOB_STATUSES = [
  'moderating',
  'awaiting_review',
  'queued',
  'submitted',
  'running',
  'saving',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'rejected'];
