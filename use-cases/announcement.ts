// Marketing announcements (D-CONSENT, D-OBJECT, D-UNSUB): an admin's campaign goes, batch
// by batch, to everyone who opted in and did not object, each email with its one-click
// unsubscribe link. Starting it is audited.
import { createHash, randomUUID } from 'node:crypto';
import { startAnnouncement } from '../clients/announcement.ts';
import type { CampaignBody, CampaignStarted } from '../domain/contracts/announcement.ts';
import { recordAudit } from '../platform/audit.ts';
import type { Actor, UseCaseDeps } from './deps.ts';

/**
 * The campaign a request sent again names: a UUID (version 8, its bits from SHA-256) of
 * the admin, the key and the email, so the same key with another email, or another
 * admin's key, names another campaign.
 */
function campaignIdFor(adminId: string, key: string, body: CampaignBody): string {
  const hex = createHash('sha256')
    .update(JSON.stringify([adminId, key, body.subject, body.body]))
    .digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function startMarketingCampaign(
  deps: UseCaseDeps,
  admin: Actor,
  body: CampaignBody,
  idempotencyKey?: string,
): Promise<CampaignStarted> {
  // The workflow's id is the campaign's: started twice under one id, it runs once.
  const campaignId = idempotencyKey ? campaignIdFor(admin.id, idempotencyKey, body) : randomUUID();
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
