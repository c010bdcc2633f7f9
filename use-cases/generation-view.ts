// How a creator (and an operator) sees generation jobs: every read comes from
// PostgreSQL, where the job's workflow records its live state as it goes, so a status
// read answers at once even while no worker runs. Live progress is pushed: the row's
// change is announced by PostgreSQL (NOTIFY) and the new view sent on.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, GenerationJob, TakedownRequest } from '../db/entities/index.ts';
import type { JobListQuery, JobPage, JobView, OpsJobView } from '../domain/contracts/generation.ts';
import type { ReviewView } from '../domain/contracts/moderation.ts';
import { TAKEDOWN_REASON_WORDS } from '../domain/takedown.ts';
import { notFound } from '../domain/errors.ts';
import { FAILURE_MESSAGES, isTerminal, type FailureCode } from '../domain/generation.ts';
import { findModel } from '../domain/models.ts';
import { workflowIds } from '../domain/temporal.ts';
import { recordAudit } from '../platform/audit.ts';
import { JOB_CHANNEL } from '../stores/generation.ts';
import { newestPage } from '../stores/time-pages.ts';
import { plainRow } from '../stores/plain-rows.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { temporalUiLinks } from './diagnostic.ts';
import { refusalReviews, refusedAutomatically } from './moderation-view.ts';
import { streamLiveView } from './live-view.ts';

const MAX_REVISION_DEPTH = 50;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** What a job's view needs besides its row: its output's delete-at, the review of its refusal, its take-down. */
export interface JobViewExtras {
  outputDeleteAt?: Date | null;
  review?: ReviewView | null;
  takedownReason?: string | null;
}

/** What a job's view reads: the entity, or its row read as plain data (getJob). */
export type JobFields = Pick<
  GenerationJob,
  | 'id'
  | 'status'
  | 'model'
  | 'provider'
  | 'originalModel'
  | 'prompt'
  | 'parameters'
  | 'creditsQuoted'
  | 'creditsCharged'
  | 'progress'
  | 'queuePosition'
  | 'etaSeconds'
  | 'statusMessage'
  | 'failureCode'
  | 'outputAssetId'
  | 'takedownId'
  | 'parentJobId'
  | 'revisionKind'
  | 'reviewOfJobId'
  | 'createdAt'
  | 'startedAt'
  | 'finishedAt'
  | 'statusChangedAt'
  | 'cancelRequestedAt'
>;

export function jobViewOf(job: JobFields, extras: JobViewExtras = {}): JobView {
  const { outputDeleteAt } = extras;
  const model = findModel(job.model);
  const code = job.failureCode as FailureCode | null;
  const started = job.startedAt?.getTime();
  const finished = job.finishedAt?.getTime();
  const succeeded = job.status === 'succeeded';
  return {
    id: job.id,
    status: job.status,
    model: { id: job.model, label: model?.label ?? job.model, provider: job.provider },
    fellBackFrom: job.originalModel ?? null,
    prompt: job.prompt,
    parameters: job.parameters as JobView['parameters'],
    credits: { quoted: job.creditsQuoted, charged: job.creditsCharged ?? null },
    progress: succeeded ? 1 : job.progress == null ? null : Number(job.progress),
    queuePosition: isTerminal(job.status) ? null : (job.queuePosition ?? null),
    etaSeconds: isTerminal(job.status) ? null : (job.etaSeconds ?? null),
    message: code
      ? FAILURE_MESSAGES[code]
      : job.status === 'awaiting_review'
        ? (job.statusMessage ?? null)
        : null,
    failure: code ? { code, message: FAILURE_MESSAGES[code] ?? code } : null,
    output:
      job.outputAssetId && succeeded && !job.takedownId
        ? { assetId: job.outputAssetId, deleteAt: iso(outputDeleteAt) }
        : null,
    parentJobId: job.parentJobId ?? null,
    revisionKind: (job.revisionKind as JobView['revisionKind']) ?? null,
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    statusChangedAt: iso(job.statusChangedAt),
    generationSeconds: started && finished ? Math.round((finished - started) / 100) / 10 : null,
    review: extras.review ?? null,
    reviewRequestable: refusedAutomatically(job) && !extras.review,
    reviewOfJobId: job.reviewOfJobId ?? null,
    cancelRequestedAt: isTerminal(job.status) ? null : iso(job.cancelRequestedAt),
    takenDown: job.takedownId
      ? {
          at: iso(job.statusChangedAt) ?? job.createdAt.toISOString(),
          reason: extras.takedownReason ?? 'take-down',
        }
      : null,
  };
}

/** The extras of many jobs at once: outputs' delete-at, reviews of refusals, take-downs. */
export async function jobExtras(em: EntityManager, jobs: readonly JobFields[]) {
  const outputIds = jobs.map((j) => j.outputAssetId).filter((x): x is string => Boolean(x));
  const outputs = outputIds.length
    ? await em.find(Asset, { id: { $in: outputIds } }, { fields: ['deleteAt'] })
    : [];
  const deleteAt = new Map(outputs.map((a) => [a.id, a.deleteAt]));
  const reviews = await refusalReviews(
    em,
    jobs.filter((j) => refusedAutomatically(j)).map((j) => j.id),
  );
  const takedownIds = [...new Set(jobs.map((j) => j.takedownId).filter((x): x is string => Boolean(x)))];
  const takedowns = takedownIds.length
    ? await em.find(TakedownRequest, { id: { $in: takedownIds } }, { fields: ['reason', 'decidedAt'] })
    : [];
  const reasons = new Map(takedowns.map((t) => [t.id, TAKEDOWN_REASON_WORDS[t.reason]]));
  return (job: JobFields): JobViewExtras => ({
    outputDeleteAt: job.outputAssetId ? deleteAt.get(job.outputAssetId) : null,
    review: reviews.get(job.id) ?? null,
    takedownReason: job.takedownId ? (reasons.get(job.takedownId) ?? null) : null,
  });
}

export async function ownJob(em: EntityManager, actor: Actor, id: string): Promise<GenerationJob> {
  const job = await em.findOne(GenerationJob, { id, user: actor.id });
  if (!job) throw notFound('No such job.');
  return job;
}

export async function viewOf(em: EntityManager, job: GenerationJob): Promise<JobView> {
  return jobViewOf(job, (await jobExtras(em, [job]))(job));
}

export async function getJob(deps: UseCaseDeps, actor: Actor, id: string): Promise<JobView> {
  // The read an open job page repeats: the job and its output's delete-at in one query,
  // not two, and the job read as plain data, only shown, never changed (stores/plain-rows.ts).
  const em = deps.orm.em.fork();
  const [row] = await em
    .getConnection()
    .execute<{ job: Record<string, unknown>; output_delete_at: Date | string | null }[]>(
      `select to_jsonb(j) as job, a.delete_at as output_delete_at
       from generation_jobs j left join assets a on a.id = j.output_asset_id
      where j.id = ? and j.user_id = ?`,
      [id, actor.id],
    );
  if (!row) throw notFound('No such job.');
  const job = plainRow(deps.orm, GenerationJob, row.job);
  // Only a job refused automatically (its review, D-ADM) or taken down (the reason,
  // S-TAKEDOWN) needs more than that one query.
  const more = refusedAutomatically(job) || job.takedownId ? (await jobExtras(em, [job]))(job) : {};
  return jobViewOf(job, {
    ...more,
    outputDeleteAt: row.output_delete_at ? new Date(row.output_delete_at) : null,
  });
}

export async function listJobs(deps: UseCaseDeps, actor: Actor, query: JobListQuery): Promise<JobPage> {
  const em = deps.orm.em.fork();
  const where: Record<string, unknown> = { user: actor.id };
  if (query.status) where.status = query.status;
  if (query.modelId) where.model = query.modelId;
  if (query.ids) where.id = { $in: query.ids };
  const { page, nextCursor } = await newestPage(em, GenerationJob, where, query);
  const extrasOf = await jobExtras(em, page);
  return { jobs: page.map((j) => jobViewOf(j, extrasOf(j))), nextCursor };
}

/** The chain of revisions a job belongs to, oldest first. */
export async function revisionChain(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
): Promise<{ jobs: JobView[] }> {
  const em = deps.orm.em.fork();
  let root = await ownJob(em, actor, id);
  for (let depth = 0; root.parentJobId && depth < MAX_REVISION_DEPTH; depth++) {
    const parent = await em.findOne(GenerationJob, { id: root.parentJobId, user: actor.id });
    if (!parent) break;
    root = parent;
  }
  const chain: GenerationJob[] = [root];
  for (let i = 0; i < chain.length && chain.length < MAX_REVISION_DEPTH * 4; i++) {
    chain.push(
      ...(await em.find(
        GenerationJob,
        { parentJobId: chain[i]!.id, user: actor.id },
        { orderBy: { createdAt: 'asc' } },
      )),
    );
  }
  const extrasOf = await jobExtras(em, chain);
  return { jobs: chain.map((j) => jobViewOf(j, extrasOf(j))) };
}

/** Any job, for an operator, with its workflow's link in the Temporal Web UI; audited. */
export async function opsJob(deps: UseCaseDeps, staff: Actor, id: string): Promise<OpsJobView> {
  const em = deps.orm.em.fork();
  const job = await em.findOne(GenerationJob, { id });
  if (!job) throw notFound('No such job.');
  await recordAudit(em, {
    action: 'staff.viewed_job',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'job',
    targetId: job.id,
    subjectUserId: job.user,
  });
  return {
    ...(await viewOf(em, job)),
    userId: job.user ?? null,
    temporalUiUrl: temporalUiLinks(deps.config, workflowIds.generation(job.id)).workflow,
  };
}

/**
 * Sends the job's view now and after every change PostgreSQL announces, until the job
 * ends or `signal` aborts. Returns when done. Each view is sent only when it changed.
 */
export async function watchJob(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  send: (view: JobView) => void,
  signal: AbortSignal,
): Promise<void> {
  const job = await ownJob(deps.orm.em.fork(), actor, id);
  await streamLiveView(
    deps.notifications,
    {
      read: () => getJob(deps, actor, job.id),
      ended: (view) => isTerminal(view.status),
      rows: () => [[JOB_CHANNEL, job.id]],
    },
    send,
    signal,
  );
}
