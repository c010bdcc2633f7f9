// What the API takes and gives for stored files and their retention (R-IN-30D,
// R-OUT-7D, R-IN-EARLY, R-HOLD): one schema for the API's validation and OpenAPI
// document, and the site's types (`z.infer`).
import { z } from 'zod';
import { nextCursor, pageQuery } from './page.ts';
import {
  ASSET_KINDS,
  ASSET_LIST_DEFAULT_LIMIT,
  ASSET_LIST_MAX_LIMIT,
  ASSET_MEDIA,
  ASSET_STATUSES,
  DELETION_REASONS,
  RETENTION_STATUSES,
} from '../retention.ts';
import { assetModerationView } from './moderation.ts';

/** An upload: one file in a multipart/form-data body (its type is read from its bytes). */
export const uploadBody = z.object({
  file: z.string().meta({ format: 'binary', description: 'The file: an image, video or voice recording.' }),
});

export const assetView = z.object({
  id: z.uuid(),
  kind: z.enum(ASSET_KINDS),
  status: z.enum(ASSET_STATUSES),
  contentType: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  createdAt: z.string(),
  storedAt: z.string().nullable(),
  deleteAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  deletionReason: z.enum(DELETION_REASONS).nullable(),
  /** The job that made this video (outputs), for the library's links. */
  jobId: z.uuid().nullable(),
  /** A legal hold keeps this file; its reason is not shown to the owner. */
  legalHold: z.boolean(),
  /** Deletion was asked for and waits for a legal hold to end (R-HOLD). */
  deletionDeferred: z.boolean(),
  /** S-MOD: the classifier's (or a person's) verdict on an image or video; null when not looked at. */
  moderation: assetModerationView.nullable(),
  /** S-TAKEDOWN: removed after an upheld take-down request. */
  takenDown: z.boolean(),
});
export type AssetView = z.infer<typeof assetView>;

export const assetListQuery = z.object({
  kind: z.enum(ASSET_KINDS).optional(),
  /** Only files in this state (a picker asks for `stored`: the ones a job or ticket can use). */
  status: z.enum(ASSET_STATUSES).optional(),
  /** Only images, sounds or videos, by the type read from the file's own bytes. */
  media: z.enum(ASSET_MEDIA).optional(),
  ...pageQuery(ASSET_LIST_DEFAULT_LIMIT, ASSET_LIST_MAX_LIMIT),
});
export type AssetListQuery = z.infer<typeof assetListQuery>;

export const assetPage = z.object({ assets: z.array(assetView), nextCursor });
export type AssetPage = z.infer<typeof assetPage>;

export const downloadLink = z.object({ url: z.url(), expiresAt: z.string() });
export type DownloadLink = z.infer<typeof downloadLink>;

/** An operator's view: the row, its holds, and where its workflow is in the Web UI. */
export const opsAssetView = assetView.extend({
  userId: z.uuid().nullable(),
  objectKey: z.string(),
  activeHolds: z.number(),
  workflowId: z.string(),
  /** The retention workflow's state as the database records it (the workflow is never asked). */
  workflow: z.object({
    status: z.enum(RETENTION_STATUSES),
    deleteAt: z.string().nullable(),
    holds: z.array(z.string()),
    reason: z.enum(DELETION_REASONS).nullable(),
    deferrals: z.number(),
    proofId: z.string().nullable(),
  }),
  temporalUiUrl: z.url(),
  temporalUiUserUrl: z.url().nullable(),
});
export type OpsAssetView = z.infer<typeof opsAssetView>;
