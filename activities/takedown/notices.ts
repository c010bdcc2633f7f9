// A take-down's notices (S-TAKEDOWN): the creator is told what was removed and why, with
// a link to answer; the reporter (when they left an address) hears the outcome when the
// request closes, and their address is erased then. Each email goes once (email log).
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import { TakedownRequest, User } from '../../db/entities/index.ts';
import { TAKEDOWN_REASON_WORDS } from '../../domain/takedown.ts';
import { recordAudit } from '../../platform/audit.ts';
import { emails } from '../../platform/emails.ts';
import type { Mailer } from '../../platform/mail.ts';
import { sendLoggedMail } from '../../stores/mail.ts';
import { loadTakedown } from './removal.ts';

export interface NoticeDeps {
  orm: MikroORM;
  config: Config;
  mailer: Mailer;
}

export function createTakedownNoticeActivities(deps: NoticeDeps, answerWindowMs: () => number) {
  const { orm } = deps;
  return {
    async notifyTakedownCreator(takedownId: string): Promise<'sent' | 'already_sent' | 'no_address'> {
      const takedown = await loadTakedown(orm, takedownId);
      const em = orm.em.fork();
      const owner = takedown.owner
        ? await em.findOne(User, { id: takedown.owner, status: { $ne: 'deleted' } })
        : null;
      const outcome = owner
        ? await sendLoggedMail(
            deps,
            em,
            {
              dedupeKey: `takedown:${takedownId}:creator`,
              userId: owner.id,
              template: 'takedown_removed',
              category: 'transactional',
            },
            emails.takedownRemoved(
              owner.email,
              TAKEDOWN_REASON_WORDS[takedown.reason],
              takedown.decisionReason ?? '',
              takedown.removed.length,
              `${deps.config.web.publicUrl}/takedowns/${takedownId}`,
            ),
          )
        : 'no_address';
      const now = new Date();
      await em.nativeUpdate(
        TakedownRequest,
        { id: takedownId, creatorNotifiedAt: null },
        {
          creatorNotifiedAt: now,
          answerDueAt: new Date(now.getTime() + answerWindowMs()),
          status: 'awaiting_answer',
        },
      );
      await recordAudit(em, {
        action: 'takedown.creator_notified',
        actorRole: 'system',
        targetType: 'takedown',
        targetId: takedownId,
        subjectUserId: takedown.owner ?? null,
        details: { outcome },
      });
      return outcome;
    },

    async closeTakedown(takedownId: string): Promise<void> {
      const takedown = await loadTakedown(orm, takedownId);
      const em = orm.em.fork();
      let reporterNotifiedAt = takedown.reporterNotifiedAt ?? null;
      if (takedown.reporterEmail && !reporterNotifiedAt) {
        await sendLoggedMail(
          deps,
          em,
          {
            dedupeKey: `takedown:${takedownId}:reporter`,
            userId: null,
            template: 'takedown_outcome',
            category: 'transactional',
          },
          emails.takedownOutcome(
            takedown.reporterEmail,
            takedown.decision === 'upheld',
            takedown.decisionReason ?? '',
          ),
        );
        reporterNotifiedAt = new Date();
      }
      // The reporter's address was kept only to tell them this.
      await em.nativeUpdate(
        TakedownRequest,
        { id: takedownId },
        {
          status: 'closed',
          closedAt: takedown.closedAt ?? new Date(),
          reporterEmail: null,
          reporterNotifiedAt,
        },
      );
      if (!takedown.closedAt) {
        await recordAudit(em, {
          action: 'takedown.closed',
          actorRole: 'system',
          targetType: 'takedown',
          targetId: takedownId,
          subjectUserId: takedown.owner ?? null,
          details: { decision: takedown.decision, answered: Boolean(takedown.answeredAt) },
        });
      }
    },
  };
}
