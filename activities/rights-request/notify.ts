// The end of a rights request: the export's link (its archive gets its own retention
// workflow, RETENTION_POLICY.export) and the emails that tell the owner it is done
// (D-ACCESS, D-PORT). Each marks its step done on the request's row when it has done it;
// each email goes once per request (the email log's key).
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { startRetention } from '../../clients/retention.ts';
import type { Config } from '../../config/index.ts';
import { Asset, User } from '../../db/entities/index.ts';
import type { Mailer } from '../../platform/mail.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { privacyEmails, sendLoggedMail, type MailResult } from '../../stores/mail.ts';
import { auditOnce, finishStep } from '../../stores/rights-request.ts';
import { mailDeliverBy } from '../mail-window.ts';
import { loadRequestRow, requestAudit } from './records.ts';

export interface NotifyDeps {
  orm: MikroORM;
  config: Config;
  mailer: Mailer;
  temporal: TemporalClients;
}

type Sent = MailResult | 'no_account';

export function createNotifyActivities(deps: NotifyDeps) {
  return {
    /**
     * Starts the export archive's retention workflow: the owner's download link works
     * until it deletes the archive. Idempotent.
     */
    publishExport: (input: { requestId: string }) => publishExport(deps, input.requestId),
    /** Tells the owner the request is done (once per request). */
    sendRequestCompleted: (requestId: string) => sendRequestCompleted(deps, requestId),
    /** Tells the owner the export is ready, with the link to its page (once per request). */
    sendExportReady: (input: { requestId: string; deleteAt: string }) => sendExportReady(deps, input),
  };
}

async function publishExport(
  deps: NotifyDeps,
  requestId: string,
): Promise<{ assetId: string; deleteAt: string }> {
  const request = await loadRequestRow(deps.orm, requestId);
  const asset = request.resultAssetId
    ? await deps.orm.em.fork().findOne(Asset, { id: request.resultAssetId })
    : null;
  if (!asset?.deleteAt) {
    throw ApplicationFailure.nonRetryable('the request has no stored export', 'ExportGone');
  }
  await startRetention(deps.temporal.client, asset);
  await finishStep(deps.orm.em.fork(), { id: requestId }, request.type, 'link');
  return { assetId: asset.id, deleteAt: asset.deleteAt.toISOString() };
}

/** The owner, while their account exists (a deleted account is emailed nothing more). */
async function ownerOf(deps: NotifyDeps, userId: string | null | undefined): Promise<User | null> {
  const user = userId ? await deps.orm.em.fork().findOne(User, { id: userId }) : null;
  return user && user.status !== 'deleted' ? user : null;
}

async function sendRequestCompleted(deps: NotifyDeps, requestId: string): Promise<Sent> {
  const request = await loadRequestRow(deps.orm, requestId);
  const user = await ownerOf(deps, request.user);
  const result = user
    ? await sendLoggedMail(
        deps,
        deps.orm.em.fork(),
        {
          dedupeKey: `request-completed:${requestId}`,
          userId: user.id,
          template: 'request_completed',
          category: 'transactional',
          deliverBy: mailDeliverBy(deps.config),
        },
        privacyEmails.requestCompleted(user.email, request.type),
      )
    : 'no_account';
  await finishStep(deps.orm.em.fork(), { id: requestId }, request.type, 'notify');
  return result;
}

async function sendExportReady(
  deps: NotifyDeps,
  input: { requestId: string; deleteAt: string },
): Promise<Sent> {
  const request = await loadRequestRow(deps.orm, input.requestId);
  const user = await ownerOf(deps, request.user);
  if (!user) {
    await finishStep(deps.orm.em.fork(), { id: input.requestId }, request.type, 'notify');
    return 'no_account';
  }
  const result = await sendLoggedMail(
    deps,
    deps.orm.em.fork(),
    {
      dedupeKey: `export-ready:${input.requestId}`,
      userId: user.id,
      template: 'export_ready',
      category: 'transactional',
      deliverBy: mailDeliverBy(deps.config),
    },
    privacyEmails.exportReady(
      user.email,
      `${deps.config.web.publicUrl}/privacy/requests/${input.requestId}`,
      new Date(input.deleteAt),
    ),
  );
  await auditOnce(
    deps.orm.em.fork(),
    `export-ready:${input.requestId}`,
    requestAudit(request, 'privacy.export_ready', { assetId: request.resultAssetId }),
  );
  await finishStep(deps.orm.em.fork(), { id: input.requestId }, request.type, 'notify');
  return result;
}
