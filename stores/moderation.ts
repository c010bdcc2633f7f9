// Moderation records both sides keep (S-MOD, D-ADM): scoring a stored object with the
// image classifier (an upload in the API, a generated video in the worker), the verdict
// and scores written on the asset, the review a person is asked for, and its audit.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, ModerationReview } from '../db/entities/index.ts';
import {
  IMAGE_CLASSIFIER,
  IMAGE_THRESHOLDS_VERSION,
  judgeImage,
  type AssetModeration,
  type ImageScores,
  type ImageSource,
  type ImageVerdict,
  type ReviewKind,
  type ReviewSubject,
} from '../domain/moderation.ts';
import { recordAudit } from '../platform/audit.ts';
import type { ImageClassifier } from '../platform/image-classifier.ts';
import type { ObjectStore } from '../platform/s3.ts';
import type { Scratch } from '../platform/scratch.ts';

export interface ScoringDeps {
  store: ObjectStore;
  classifier: ImageClassifier;
  scratch: Scratch;
}

/**
 * Scores a stored object: an image (its one picture) or a video (its sampled frames).
 * The object is read into a private temporary folder (ffmpeg needs to seek in a video)
 * that is removed whatever happens.
 */
export async function scoreStoredObject(
  deps: ScoringDeps,
  objectKey: string,
  media: 'image' | 'video',
): Promise<ImageScores[]> {
  const dir = await deps.scratch.folder('moderation-');
  try {
    const file = path.join(dir, 'object');
    const got = await deps.store.client.send(
      new GetObjectCommand({ Bucket: deps.store.bucket, Key: objectKey }),
    );
    await pipeline(got.Body as Readable, createWriteStream(file, { mode: 0o600 }));
    if (media === 'image') return [await deps.classifier.scoreImageFile(file)];
    return await deps.classifier.scoreVideoFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What an asset's moderation becomes after the classifier's verdict. */
export const moderationOf = (verdict: ImageVerdict): AssetModeration =>
  verdict.verdict === 'allow' ? 'passed' : verdict.verdict === 'review' ? 'held' : 'refused';

/** The scores as recorded with the decision on the asset. */
export const scoresRecord = (verdict: ImageVerdict) => ({
  scores: verdict.scores,
  frames: verdict.frames,
  classifier: IMAGE_CLASSIFIER,
  thresholds: IMAGE_THRESHOLDS_VERSION,
});

/** Scores and judges a stored object by the thresholds of its source. */
export async function judgeStoredObject(
  deps: ScoringDeps,
  objectKey: string,
  source: ImageSource,
): Promise<ImageVerdict> {
  const frames = await scoreStoredObject(deps, objectKey, source === 'upload' ? 'image' : 'video');
  return judgeImage(frames, source);
}

export interface ReviewOpening {
  kind: ReviewKind;
  subject: ReviewSubject;
  userId: string;
  jobId?: string | null;
  assetId?: string | null;
  reason?: string | null;
  categories?: readonly string[];
  scores?: ImageScores | null;
  note?: string | null;
}

/** Puts a job or file in the review queue; one review of each thing (a repeat is a no-op). Returns its id. */
export async function openReview(em: EntityManager, review: ReviewOpening): Promise<string> {
  const [row] = await em.execute<{ id: string }[]>(
    `insert into moderation_reviews (id, kind, subject, job_id, asset_id, user_id, reason, categories, scores, note, created_at)
     values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, now())
     on conflict do nothing returning id`,
    [
      review.kind,
      review.subject,
      review.jobId ?? null,
      review.assetId ?? null,
      review.userId,
      review.reason ?? null,
      JSON.stringify(review.categories ?? []),
      review.scores ? JSON.stringify(review.scores) : null,
      review.note ?? null,
    ],
  );
  if (row) return row.id;
  const existing = await em
    .fork()
    .findOneOrFail(
      ModerationReview,
      review.assetId ? { assetId: review.assetId } : { jobId: review.jobId!, subject: review.subject },
    );
  return existing.id;
}

/** The asset's columns that record a verdict: its moderation and the scores behind it. */
export const verdictColumns = (verdict: ImageVerdict) => ({
  moderation: moderationOf(verdict),
  moderationScores: scoresRecord(verdict),
});

/**
 * Records the classifier's verdict on an asset (its moderation and scores), then reports it.
 */
export async function recordAssetVerdict(
  em: EntityManager,
  asset: Pick<Asset, 'id' | 'user' | 'jobId'>,
  verdict: ImageVerdict,
  source: ImageSource,
): Promise<AssetModeration> {
  await em.nativeUpdate(Asset, { id: asset.id }, verdictColumns(verdict));
  return reportAssetVerdict(em, asset, verdict, source);
}

/** For a hold, the review a person owes it; a refusal or a hold is audited with the scores. */
export async function reportAssetVerdict(
  em: EntityManager,
  asset: Pick<Asset, 'id' | 'user' | 'jobId'>,
  verdict: ImageVerdict,
  source: ImageSource,
): Promise<AssetModeration> {
  const moderation = moderationOf(verdict);
  if (moderation === 'passed') return moderation;
  if (moderation === 'held') {
    await openReview(em, {
      kind: 'held',
      subject: source === 'upload' ? 'upload' : 'output',
      userId: asset.user!,
      jobId: asset.jobId ?? null,
      assetId: asset.id,
      reason: verdict.reason,
      categories: verdict.categories,
      scores: verdict.scores,
    });
  }
  await recordAudit(em, {
    action: `asset.moderation_${moderation}`,
    actorRole: 'system',
    targetType: 'asset',
    targetId: asset.id,
    subjectUserId: asset.user ?? null,
    details: { source, categories: verdict.categories, frames: verdict.frames, scores: verdict.scores },
  });
  return moderation;
}

/** Closes the open reviews of a job that ended without one (cancelled, expired). */
export async function closeJobReviews(em: EntityManager, jobId: string, reason: string): Promise<void> {
  await em.nativeUpdate(
    ModerationReview,
    { jobId, decidedAt: null },
    { decidedAt: new Date(), approved: false, decisionReason: reason },
  );
}
