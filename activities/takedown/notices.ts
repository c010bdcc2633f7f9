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
import { sendLoggedMail, wasDelivered, type MailResult } from '../../stores/mail.ts';
import { mailDeliverBy } from '../mail-window.ts';
import { loadTakedown } from './removal.ts';

export interface NoticeDeps {
  orm: MikroORM;
  config: Config;
  mailer: Mailer;
}

export function createTakedownNoticeActivities(deps: NoticeDeps, answerWindowMs: () => number) {
  return {
    notifyTakedownCreator: (takedownId: string) => notifyCreator(deps, takedownId, answerWindowMs()),
    closeTakedown: (takedownId: string) => closeRequest(deps, takedownId),
  };
}

/** The owner hears what was removed and why, and may answer until the window ends. */
async function notifyCreator(
  deps: NoticeDeps,
  takedownId: string,
  answerWindowMs: number,
): Promise<MailResult | 'no_address'> {
  const takedown = await loadTakedown(deps.orm, takedownId);
  const em = deps.orm.em.fork();
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
          deliverBy: mailDeliverBy(deps.config),
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
      answerDueAt: new Date(now.getTime() + answerWindowMs),
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
}

/** The end: the reporter hears the outcome, their address is erased, the request is closed. */
async function closeRequest(deps: NoticeDeps, takedownId: string): Promise<void> {
  const takedown = await loadTakedown(deps.orm, takedownId);
  const em = deps.orm.em.fork();
  let reporterNotifiedAt = takedown.reporterNotifiedAt ?? null;
  if (takedown.reporterEmail && !reporterNotifiedAt) {
    const result = await sendLoggedMail(
      deps,
      em,
      {
        dedupeKey: `takedown:${takedownId}:reporter`,
        userId: null,
        template: 'takedown_outcome',
        category: 'transactional',
        deliverBy: mailDeliverBy(deps.config),
      },
      emails.takedownOutcome(
        takedown.reporterEmail,
        takedown.decision === 'upheld',
        takedown.decisionReason ?? '',
      ),
    );
    // Refused for good or undelivered (in the email log): the reporter was not told.
    if (wasDelivered(result)) reporterNotifiedAt = new Date();
  }
  // The reporter's address was kept only to tell them this.
  await em.nativeUpdate(
    TakedownRequest,
    { id: takedownId },
    { status: 'closed', closedAt: takedown.closedAt ?? new Date(), reporterEmail: null, reporterNotifiedAt },
  );
  if (takedown.closedAt) return;
  await recordAudit(em, {
    action: 'takedown.closed',
    actorRole: 'system',
    targetType: 'takedown',
    targetId: takedownId,
    subjectUserId: takedown.owner ?? null,
    details: { decision: takedown.decision, answered: Boolean(takedown.answeredAt) },
  });
}
