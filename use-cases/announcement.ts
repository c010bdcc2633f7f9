// Marketing announcements (D-CONSENT, D-OBJECT, D-UNSUB): an admin's campaign goes, batch
// by batch, to everyone who opted in and did not object, each email with its one-click
// unsubscribe link. Starting it is audited.
import { randomUUID } from 'node:crypto';
import { startAnnouncement } from '../clients/announcement.ts';
import type { CampaignBody, CampaignStarted } from '../domain/contracts/announcement.ts';
import { recordAudit } from '../platform/audit.ts';
import type { Actor, UseCaseDeps } from './deps.ts';

export async function startMarketingCampaign(
  deps: UseCaseDeps,
  admin: Actor,
  body: CampaignBody,
): Promise<CampaignStarted> {
  const campaignId = randomUUID();
  const workflowId = await startAnnouncement(deps.temporal.client, `marketing-${campaignId}`, {
    kind: 'marketing',
    campaignId,
    subject: body.subject,
    body: body.body,
  });
  await recordAudit(deps.orm.em.fork(), {
    action: 'marketing.campaign_started',
    actorId: admin.id,
    actorRole: admin.role,
    details: { campaignId },
  });
  return { campaignId, workflowId };
}
