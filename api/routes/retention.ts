// A creator's stored files over HTTP: uploads (R-IN-30D, R-CRYPTO), download links for
// the owner only, deletion at any time (R-IN-EARLY; deferred to the release under a
// legal hold, R-HOLD), and the operators' view of a file and its retention.
import { z } from 'zod';
import {
  assetListQuery,
  assetPage,
  uploadBody,
  assetView,
  downloadLink,
  opsAssetView,
} from '../../domain/contracts/retention.ts';
import { DOWNLOAD_URL_TTL_SECONDS } from '../../domain/retention.ts';
import {
  assetDownloadLink,
  deleteOwnAsset,
  getAsset,
  listAssets,
  opsAsset,
  storeUpload,
} from '../../use-cases/retention.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';
import { checkUploadRequest, receiveUpload } from '../uploads.ts';

const idParams = z.object({ id: z.uuid() });

export const retentionRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/assets',
    summary:
      'Upload a reference image, video or voice recording (multipart/form-data, one file); kept 30 days (R-IN-30D)',
    tags: ['assets'],
    access: 'verified',
    rateLimit: 'upload',
    status: 201,
    bodyType: 'multipart',
    body: uploadBody,
    response: assetView,
    errors: [
      {
        status: 400,
        code: 'upload_interrupted',
        when: 'the upload stopped before its end; nothing was kept',
      },
      { status: 403, code: 'processing_restricted', when: 'the person restricted processing of their data' },
      { status: 413, code: 'file_too_large', when: 'the file is over its type’s limit' },
      { status: 415, code: 'unsupported_file_type', when: 'the file’s bytes are not an accepted type' },
      { status: 415, code: 'multipart_required', when: 'the body is not multipart/form-data' },
      {
        status: 422,
        code: 'image_unreadable',
        when: 'the image cannot be decoded for moderation; nothing was kept',
      },
      { status: 503, code: 'storage_unavailable', when: 'the object store failed; nothing was kept' },
      {
        status: 503,
        code: 'moderation_unavailable',
        when: 'the image could not be scored by the classifier; nothing was kept',
      },
    ],
    // The restriction is checked first (use case), then the request's form (the reader).
    handler: ({ deps, req }) =>
      storeUpload(deps, caller(req).user, (key, onType) => {
        checkUploadRequest(req);
        return receiveUpload(req, deps.store, key, onType);
      }),
  }),

  defineRoute({
    method: 'get',
    path: '/api/assets',
    summary: 'My files, newest first, with when each is deleted and whether a legal hold keeps it',
    tags: ['assets'],
    access: 'verified',
    query: assetListQuery,
    response: assetPage,
    handler: ({ deps, query, req }) => listAssets(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/assets/:id',
    summary: 'One of my files',
    tags: ['assets'],
    access: 'verified',
    params: idParams,
    response: assetView,
    handler: ({ deps, params, req }) => getAsset(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/assets/:id/download',
    summary: `A download link for one of my files, valid ${DOWNLOAD_URL_TTL_SECONDS / 60} minutes at most`,
    tags: ['assets'],
    access: 'verified',
    params: idParams,
    response: downloadLink,
    errors: [
      { status: 409, code: 'asset_not_ready', when: 'the file is still being stored' },
      {
        status: 409,
        code: 'not_released',
        when: 'the file is held for a review or was not approved (S-MOD)',
      },
      { status: 410, code: 'asset_deleted', when: 'the file is deleted (or its time is up)' },
      { status: 410, code: 'taken_down', when: 'the file was removed after a take-down request' },
    ],
    handler: ({ deps, params, req }) => assetDownloadLink(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'delete',
    path: '/api/assets/:id',
    summary:
      'Delete one of my files now (R-IN-EARLY); under a legal hold the deletion waits for its release (`deletionDeferred`), and when the store does not answer, for the store (`status` stays `deleting`)',
    tags: ['assets'],
    access: 'verified',
    params: idParams,
    status: 202,
    response: assetView,
    errors: [
      { status: 409, code: 'asset_not_ready', when: 'the file is still being stored' },
      { status: 410, code: 'asset_deleted', when: 'the file is already deleted' },
    ],
    handler: async ({ deps, params, req }) => (await deleteOwnAsset(deps, caller(req).user, params.id)).view,
  }),

  defineRoute({
    method: 'get',
    path: '/api/ops/assets/:id',
    summary: 'An asset and its retention (state, Temporal Web UI links); the access is audited',
    tags: ['ops'],
    access: ['operator', 'admin'],
    params: idParams,
    response: opsAssetView,
    handler: ({ deps, params, req }) => opsAsset(deps, caller(req).user, params.id),
  }),
];
