// Emails to many users, in batches (`announcement-<id>`; D-POLICY, D-UNSUB): the
// announcement of a material policy change to every account, and marketing to those
// who opted in and did not object. Each batch reads the next users by id and sends to
// each at most once (the email log's key), so a retried batch or a restarted workflow
// sends nothing twice.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/index.ts';
import { PolicyVersion, User } from '../db/entities/index.ts';
import { ANNOUNCEMENT_BATCH_SIZE, type Announcement } from '../domain/announcement.ts';
import type { Mailer } from '../platform/mail.ts';
import { privacyEmails, sendLoggedMail, sendMarketingMail } from '../stores/mail.ts';

export type { Announcement } from '../domain/announcement.ts';

export interface BatchResult {
  /** Where the next batch starts; null when every user was reached. */
  nextAfterId: string | null;
  sent: number;
  skipped: number;
}

interface AnnouncementDeps {
  orm: MikroORM;
  config: Config;
  mailer: Mailer;
}

export function createAnnouncementActivities(deps: AnnouncementDeps) {
  return {
    async sendAnnouncementBatch(input: {
      announcement: Announcement;
      afterId: string;
    }): Promise<BatchResult> {
      const em = deps.orm.em.fork();
      const { announcement } = input;
      const users = await em.find(
        User,
        {
          id: { $gt: input.afterId },
          status: announcement.kind === 'marketing' ? 'active' : { $nin: ['deleted'] },
        },
        { orderBy: { id: 'asc' }, limit: ANNOUNCEMENT_BATCH_SIZE, fields: ['id', 'email', 'status'] },
      );
      const policy =
        announcement.kind === 'policy'
          ? await em.findOneOrFail(PolicyVersion, { version: announcement.version })
          : null;
      let sent = 0;
      for (const user of users) {
        const result =
          announcement.kind === 'policy'
            ? await sendPolicyChange(deps, policy!, user)
            : await sendMarketingMail(deps, deps.orm.em.fork(), {
                campaignId: announcement.campaignId,
                userId: user.id,
                subject: announcement.subject,
                body: announcement.body,
              });
        if (result === 'sent') sent++;
      }
      return {
        nextAfterId: users.length < ANNOUNCEMENT_BATCH_SIZE ? null : users.at(-1)!.id,
        sent,
        skipped: users.length - sent,
      };
    },
  };
}

/** A legal notice about the service: transactional, sent whatever the marketing choice. */
function sendPolicyChange(deps: AnnouncementDeps, policy: PolicyVersion, user: Pick<User, 'id' | 'email'>) {
  return sendLoggedMail(
    deps,
    deps.orm.em.fork(),
    {
      dedupeKey: `policy:${policy.version}:${user.id}`,
      userId: user.id,
      template: 'policy_changed',
      category: 'transactional',
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
