// The retention calls (a creator's stored files, their download links and deletion, and
// the operators' view) on the site's API client; shapes from the retention contract.
import type {
  AssetPage,
  AssetView,
  DownloadLink,
  OpsAssetView,
} from '../../../../domain/contracts/retention.ts';
import type { AssetKind, AssetMedia, AssetStatus } from '../../../../domain/retention.ts';
import type { ApiClient } from '../api/client.ts';
import { queryString, seg } from '../api/query.ts';

export function retentionCalls(api: ApiClient) {
  return {
    assets: (
      query: {
        kind?: AssetKind;
        status?: AssetStatus;
        media?: AssetMedia;
        cursor?: string;
        limit?: number;
      } = {},
    ) => api.call<AssetPage>('GET', `/api/assets${queryString(query)}`),
    asset: (id: string) => api.call<AssetView>('GET', `/api/assets/${seg(id)}`),
    /** A short-lived link to the file itself (the owner's only). */
    downloadLink: (id: string) => api.call<DownloadLink>('GET', `/api/assets/${seg(id)}/download`),
    /** Deleted now, or, under a legal hold, when the hold ends (`deletionDeferred`). */
    deleteAsset: (id: string, csrfToken: string) =>
      api.call<AssetView>('DELETE', `/api/assets/${seg(id)}`, { csrfToken }),
    opsAsset: (id: string) => api.call<OpsAssetView>('GET', `/api/ops/assets/${seg(id)}`),
  };
}
