// Marketing announcements (D-CONSENT, D-OBJECT, D-UNSUB): an admin's campaign goes, batch
// by batch, to everyone who opted in and did not object, each email with its one-click
// unsubscribe link. The campaign is stored before its start, so a request sent again with
// its Idempotency-Key finds it, and a start Temporal does not answer is kept for the
// unstarted sweep. Storing it is audited, once.
import { createHash, randomUUID } from 'node:crypto';
import { campaignAnnouncementId, startCampaignAnnouncement } from '../clients/announcement.ts';
import { MarketingCampaign, UnstartedMarketingCampaign } from '../db/entities/index.ts';
import { CAMPAIGN_START_DEADLINE_MS } from '../domain/announcement.ts';
import type {
  CampaignBody,
  CampaignList,
  CampaignListQuery,
  CampaignStarted,
} from '../domain/contracts/announcement.ts';
import { conflict } from '../domain/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import { newestPage } from '../stores/time-pages.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { callOrRecord } from './unanswered.ts';

/**
 * The campaign a key names: a UUID (version 8, its bits from SHA-256) of the admin and
 * the key, so a request sent again finds it, and another admin's key names another.
 */
function campaignIdFor(adminId: string, key: string): string {
  const hex = createHash('sha256')
    .update(JSON.stringify([adminId, key]))
    .digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Stores the campaign and its audit event in one transaction; answers it. A key already
 * used answers its campaign if it carries the same email, and is refused if not.
 */
async function storeCampaign(
  deps: UseCaseDeps,
  admin: Actor,
  body: CampaignBody,
  idempotencyKey: string | undefined,
): Promise<Pick<MarketingCampaign, 'id' | 'subject' | 'body'>> {
  const em = deps.orm.em.fork();
  const row = {
    id: idempotencyKey ? campaignIdFor(admin.id, idempotencyKey) : randomUUID(),
    sentBy: admin.id,
    idempotencyKey: idempotencyKey ?? null,
    subject: body.subject,
    body: body.body,
    createdAt: new Date(),
  };
  const stored = await em.transactional(async (tx) => {
    const inserted = await tx
      .createQueryBuilder(MarketingCampaign)
      .insert(row)
      .onConflict('id')
      .ignore()
      .execute('run');
    if (inserted.affectedRows === 0) return false;
    await recordAudit(tx, {
      action: 'marketing.campaign_started',
      actorId: admin.id,
      actorRole: admin.role,
      details: { campaignId: row.id },
    });
    return true;
  });
  if (stored) return row;
  const earlier = await em.findOneOrFail(MarketingCampaign, { id: row.id });
  if (earlier.subject !== body.subject || earlier.body !== body.body) {
    throw conflict(
      'idempotency_key_reused',
      'This Idempotency-Key was already used for a different campaign.',
    );
  }
  return earlier;
}

export async function startMarketingCampaign(
  deps: UseCaseDeps,
  admin: Actor,
  body: CampaignBody,
  idempotencyKey?: string,
): Promise<CampaignStarted> {
  const campaign = await storeCampaign(deps, admin, body, idempotencyKey);
  let kept = false;
  // Started twice under the campaign's id (a request sent again), the email goes once.
  await callOrRecord(deps, {
    deadlineMs: CAMPAIGN_START_DEADLINE_MS,
    call: () => startCampaignAnnouncement(deps.temporal.client, campaign),
    record: (em, namespace) => {
      kept = true;
      return recordUnstartedStart(em, 'marketingCampaign', campaign.id, namespace);
    },
    warning: {
      message: 'marketing campaign kept, its workflow not started: the unstarted sweep starts it',
      context: { campaignId: campaign.id },
    },
  });
  return { campaignId: campaign.id, workflowId: campaignAnnouncementId(campaign.id), kept };
}

/** A page of campaigns, newest first, each kept, sending or sent (from PostgreSQL alone). */
export async function listMarketingCampaigns(
  deps: UseCaseDeps,
  query: CampaignListQuery,
): Promise<CampaignList> {
  const em = deps.orm.em.fork();
  const { page, nextCursor } = await newestPage(em, MarketingCampaign, {}, query);
  const kept = new Set(
    (await em.find(UnstartedMarketingCampaign, { campaign: { $in: page.map((r) => r.id) } })).map(
      (k) => k.campaign,
    ),
  );
  return {
    campaigns: page.map((row) => ({
      campaignId: row.id,
      subject: row.subject,
      createdAt: row.createdAt.toISOString(),
      state: row.finishedAt ? 'sent' : kept.has(row.id) ? 'kept' : 'sending',
      sent: row.sent ?? null,
      finishedAt: row.finishedAt?.toISOString() ?? null,
    })),
    nextCursor,
  };
}
