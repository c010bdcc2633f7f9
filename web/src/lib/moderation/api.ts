// The review queue's calls (S-MOD, D-ADM): held requests and uploads, a person's decision
// on one, and the creator's request for a review.
import type { JobView, ReviewDecisionBody, ReviewQueue } from '../../../../domain/contracts/generation.ts';
import type { ReviewRequestBody } from '../../../../domain/contracts/moderation.ts';
import type { AssetView } from '../../../../domain/contracts/retention.ts';
import type { ApiClient } from '../api/client.ts';
import { seg } from '../api/query.ts';

export function moderationCalls(api: ApiClient) {
  return {
    queue: () => api.call<ReviewQueue>('GET', '/api/moderation/queue'),
    decide: (id: string, body: ReviewDecisionBody, csrfToken: string) =>
      api.call<{ id: string; decision: 'approved' | 'rejected' }>(
        'POST',
        `/api/moderation/jobs/${seg(id)}/decision`,
        { body, csrfToken },
      ),
    decideUpload: (assetId: string, body: ReviewDecisionBody, csrfToken: string) =>
      api.call<{ id: string; decision: 'approved' | 'rejected' }>(
        'POST',
        `/api/moderation/uploads/${seg(assetId)}/decision`,
        { body, csrfToken },
      ),
    /** A short link to the image or video under review (the API audits each look). */
    media: (reviewId: string) =>
      api.call<{ url: string; expiresAt: string; contentType: string }>(
        'GET',
        `/api/moderation/reviews/${seg(reviewId)}/media`,
      ),
    /** D-ADM: the creator asks a person to look at a job the automatic check refused. */
    requestJobReview: (jobId: string, body: ReviewRequestBody, csrfToken: string) =>
      api.call<JobView>('POST', `/api/jobs/${seg(jobId)}/review-request`, { body, csrfToken }),
    /** D-ADM: the creator asks a person to look at an uploaded image the classifier refused. */
    requestUploadReview: (assetId: string, body: ReviewRequestBody, csrfToken: string) =>
      api.call<AssetView>('POST', `/api/assets/${seg(assetId)}/review-request`, { body, csrfToken }),
  };
}
