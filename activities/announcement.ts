// Emails to many users, in batches (`announcement-<id>`; D-POLICY, D-UNSUB): the
// announcement of a material policy change to every account, and marketing to those
// who opted in and did not object. Each batch reads the next users by id and sends to
// each at most once (the email log's key), so a retried batch or a restarted workflow
// sends nothing twice. A recipient whose relay defers the email (a passing failure)
// does not hold up the others: the batch goes on and names them, and the workflow tries
// them again after its last batch, until delivered or past the delivery window.
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config/index.ts';
import { MarketingCampaign, PolicyVersion, User } from '../db/entities/index.ts';
import { ANNOUNCEMENT_BATCH_SIZE, type Announcement } from '../domain/announcement.ts';
import { MailNotSent, type Mailer } from '../platform/mail.ts';
import { privacyEmails, sendLoggedMail, sendMarketingMail } from '../stores/mail.ts';
import { mailDeliverBy } from './mail-window.ts';

export type { Announcement } from '../domain/announcement.ts';

export interface BatchResult {
  /** Where the next batch starts; null when every user was reached. */
  nextAfterId: string | null;
  sent: number;
  skipped: number;
  /** Users whose relay deferred the email: tried again after the last batch. */
  deferred?: string[];
}

interface AnnouncementDeps {
  orm: MikroORM;
  config: Config;
  mailer: Mailer;
}

type Recipient = Pick<User, 'id' | 'email'>;

/** Who an announcement reaches: marketing only active accounts, a policy change every account not deleted. */
const reachedStatus = (announcement: Announcement) =>
  announcement.kind === 'marketing' ? 'active' : { $nin: ['deleted' as const] };

/** nodemailer's code for a relay's answer to a recipient (RCPT TO), not to the whole mail. */
const RECIPIENT_DEFERRED = 'EENVELOPE';

export function createAnnouncementActivities(deps: AnnouncementDeps) {
  return {
    async sendAnnouncementBatch(input: {
      announcement: Announcement;
      afterId: string;
      /** When the announcement began: the delivery window counts from it. */
      startedAt?: string;
    }): Promise<BatchResult> {
      const { announcement } = input;
      const users = await deps.orm.em.fork().find(
        User,
        {
          id: { $gt: input.afterId },
          status: reachedStatus(announcement),
        },
        { orderBy: { id: 'asc' }, limit: ANNOUNCEMENT_BATCH_SIZE, fields: ['id', 'email', 'status'] },
      );
      const sending = await sendToEach(
        deps,
        announcement,
        users,
        mailDeliverBy(deps.config, input.startedAt),
      );
      return {
        nextAfterId: users.length < ANNOUNCEMENT_BATCH_SIZE ? null : users.at(-1)!.id,
        sent: sending.sent,
        skipped: users.length - sending.sent - sending.deferred.length,
        deferred: sending.deferred,
      };
    },

    /**
     * A marketing campaign's last email went: its row records when, and how many were
     * sent, once (a retry finds it recorded).
     */
    async recordCampaignSent(input: { campaignId: string; sent: number }): Promise<void> {
      await deps.orm.em
        .fork()
        .nativeUpdate(
          MarketingCampaign,
          { id: input.campaignId, finishedAt: null },
          { finishedAt: new Date(), sent: input.sent },
        );
    },

    /**
     * The users whose email was deferred, tried again: fails (for Temporal to retry it)
     * while any is still deferred within the delivery window; then each is delivered,
     * refused or undelivered, and logged.
     */
    async sendDeferredAnnouncement(input: {
      announcement: Announcement;
      userIds: string[];
      startedAt: string;
    }): Promise<{ sent: number; skipped: number }> {
      const { announcement } = input;
      const users = await deps.orm.em.fork().find(
        User,
        {
          id: { $in: input.userIds },
          status: reachedStatus(announcement),
        },
        { orderBy: { id: 'asc' }, fields: ['id', 'email', 'status'] },
      );
      const sending = await sendToEach(
        deps,
        announcement,
        users,
        mailDeliverBy(deps.config, input.startedAt),
      );
      if (sending.deferred.length) {
        throw ApplicationFailure.retryable(
          `the mail relay still defers ${sending.deferred.length} of the announcement's emails`,
          'MailDeferred',
        );
      }
      return { sent: sending.delivered, skipped: input.userIds.length - sending.delivered };
    },
  };
}

/**
 * Sends to each user in turn; one the relay deferred (its answer to that recipient, a
 * 4xx) is named and the others go on. A relay failing as a whole (no connection, a
 * refused login, a reply to the message itself) fails the batch: every address would
 * meet it.
 */
async function sendToEach(
  deps: AnnouncementDeps,
  announcement: Announcement,
  users: Recipient[],
  deliverBy: Date | undefined,
): Promise<{ sent: number; delivered: number; deferred: string[] }> {
  const policy =
    announcement.kind === 'policy'
      ? await deps.orm.em.fork().findOneOrFail(PolicyVersion, { version: announcement.version })
      : null;
  let sent = 0;
  let delivered = 0;
  const deferred: string[] = [];
  for (const user of users) {
    try {
      const result =
        announcement.kind === 'policy'
          ? await sendPolicyChange(deps, policy!, user, deliverBy)
          : await sendMarketingMail(deps, deps.orm.em.fork(), {
              campaignId: announcement.campaignId,
              userId: user.id,
              subject: announcement.subject,
              body: announcement.body,
              deliverBy,
            });
      if (result === 'sent') sent++;
      if (result === 'sent' || result === 'already_sent') delivered++;
    } catch (err) {
      if (!(err instanceof MailNotSent) || err.code !== RECIPIENT_DEFERRED) throw err;
      deferred.push(user.id);
    }
  }
  return { sent, delivered, deferred };
}

/** A legal notice about the service: transactional, sent whatever the marketing choice. */
function sendPolicyChange(
  deps: AnnouncementDeps,
  policy: PolicyVersion,
  user: Recipient,
  deliverBy: Date | undefined,
) {
  return sendLoggedMail(
    deps,
    deps.orm.em.fork(),
    {
      dedupeKey: `policy:${policy.version}:${user.id}`,
      userId: user.id,
      template: 'policy_changed',
      category: 'transactional',
      deliverBy,
    },
    privacyEmails.policyChanged(
      user.email,
      policy.version,
      policy.summary,
      policy.requiresConsent,
      `${deps.config.web.publicUrl}/privacy`,
    ),
  );
}

export type AnnouncementActivities = ReturnType<typeof createAnnouncementActivities>;
