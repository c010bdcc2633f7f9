// Announcements over HTTP (D-CONSENT, D-OBJECT, D-UNSUB): an admin's marketing campaign,
// sent to everyone who opted in and did not object.
import {
  campaignBody,
  campaignHeaders,
  campaignList,
  campaignListQuery,
  campaignStarted,
} from '../../domain/contracts/announcement.ts';
import { listMarketingCampaigns, startMarketingCampaign } from '../../use-cases/announcement.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

export const announcementRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/admin/marketing/campaigns',
    summary:
      'Marketing campaigns, newest first, a page at a time: kept, sending, or sent with how many emails went',
    tags: ['staff'],
    access: ['admin'],
    query: campaignListQuery,
    response: campaignList,
    handler: ({ deps, query }) => listMarketingCampaigns(deps, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/admin/marketing/campaigns',
    summary:
      'Send a marketing email to everyone who opted in and did not object, each with a one-click unsubscribe link (with an Idempotency-Key, a request sent again answers with the campaign the first started; while Temporal does not answer, the campaign is kept and sent once it does)',
    tags: ['staff'],
    access: ['admin'],
    status: 202,
    headers: campaignHeaders,
    body: campaignBody,
    response: campaignStarted,
    errors: [
      {
        status: 409,
        code: 'idempotency_key_reused',
        when: 'the key was used for a campaign with another email',
      },
    ],
    handler: ({ deps, headers, body, req }) =>
      startMarketingCampaign(deps, caller(req).user, body, headers['Idempotency-Key']),
  }),
];
