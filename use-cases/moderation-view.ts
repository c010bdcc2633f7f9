// How moderation shows on a creator's files and jobs (S-MOD, D-ADM): the verdict in words,
// the person's review once asked for or held, and whether one may still be asked for.
import type { EntityManager } from '@mikro-orm/postgresql';
import { GenerationJob, ModerationReview, type Asset } from '../db/entities/index.ts';
import type { AssetModerationView, ReviewView } from '../domain/contracts/moderation.ts';
import type { AssetModeration } from '../domain/moderation.ts';

const ASSET_MESSAGES: Readonly<Record<AssetModeration, string | null>> = {
  passed: null,
  held: 'Held for a review by our team before it can be used.',
  refused: 'Refused by our automated check: it looks like explicit sexual content.',
  approved: null,
  rejected: 'Our team reviewed it and did not approve it.',
};

export function reviewViewOf(review: ModerationReview, jobId: string | null = null): ReviewView {
  return {
    id: review.id,
    kind: review.kind,
    status: review.decidedAt ? (review.approved ? 'approved' : 'rejected') : 'pending',
    requestedAt: review.createdAt.toISOString(),
    decidedAt: review.decidedAt?.toISOString() ?? null,
    reason: review.decisionReason ?? null,
    jobId,
  };
}

export function assetModerationViewOf(asset: Asset, review?: ModerationReview): AssetModerationView | null {
  if (!asset.moderation) return null;
  return {
    status: asset.moderation,
    message: ASSET_MESSAGES[asset.moderation],
    review: review ? reviewViewOf(review) : null,
    reviewRequestable: asset.moderation === 'refused' && !review && asset.status === 'stored',
  };
}

/** The review of each of these assets, if any. */
export async function assetReviews(
  em: EntityManager,
  assetIds: readonly string[],
): Promise<Map<string, ModerationReview>> {
  if (assetIds.length === 0) return new Map();
  const reviews = await em.find(ModerationReview, { assetId: { $in: [...assetIds] }, subject: 'upload' });
  return new Map(reviews.map((r) => [r.assetId!, r]));
}

/**
 * The review asked for after each refused job: it is the review of the job that re-runs
 * it (`reviewOfJobId`), shown on the refused job with a link to that job.
 */
export async function refusalReviews(
  em: EntityManager,
  jobIds: readonly string[],
): Promise<Map<string, ReviewView>> {
  if (jobIds.length === 0) return new Map();
  const reruns = await em.find(
    GenerationJob,
    { reviewOfJobId: { $in: [...jobIds] } },
    { fields: ['id', 'reviewOfJobId'] },
  );
  if (reruns.length === 0) return new Map();
  const reviews = await em.find(ModerationReview, {
    jobId: { $in: reruns.map((j) => j.id) },
    subject: 'prompt',
  });
  const byJob = new Map(reviews.map((r) => [r.jobId!, r]));
  const out = new Map<string, ReviewView>();
  for (const rerun of reruns) {
    const review = byJob.get(rerun.id);
    if (review) out.set(rerun.reviewOfJobId!, reviewViewOf(review, rerun.id));
  }
  return out;
}

/** A job refused by automated moderation that nobody has reviewed yet (D-ADM). */
export const refusedAutomatically = (
  job: Pick<GenerationJob, 'status' | 'failureCode' | 'reviewOfJobId'>,
): boolean => job.status === 'rejected' && job.failureCode === 'moderation_refused' && !job.reviewOfJobId;
