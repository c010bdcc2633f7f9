// Stored objects and why they go away.
export const ASSET_KINDS = ['input', 'output', 'export', 'temp'] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export const ASSET_STATUSES = ['pending', 'stored', 'deleted'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

export const DELETION_REASONS = [
  'timer',
  'user',
  'account_deletion',
  'minor',
  'orphan',
  'job_finished',
] as const;
export type DeletionReason = (typeof DELETION_REASONS)[number];
