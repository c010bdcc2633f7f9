// A rights request's row as both sides change it (D-VERIFY, D-CLOCK, D-ERASE): the API's
// use cases (verify, cancel) and the workflows' activities (expire, claim, pause, each
// step) write the status and the steps in the same statement, so the status and the
// step progress that every view reads from this one row never disagree, and no view
// asks the workflow. Also the once-only audit events the activities append.
import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { RightsRequest } from '../db/entities/index.ts';
import {
  REQUEST_TYPES,
  claimedSteps,
  initialSteps,
  stepAfter,
  type RequestStatus,
  type RequestType,
  type StepName,
  type StepStates,
} from '../domain/rights-request.ts';
import { recordAudit, type AuditInput } from '../platform/audit.ts';

/** A SQL `case` on the row's own type, giving each type's steps as `states` says (one statement for any type). */
const byType = (states: (type: RequestType) => StepStates) => ({
  sql: `case type ${REQUEST_TYPES.map(() => 'when ? then ?::jsonb').join(' ')} else '{}'::jsonb end`,
  params: REQUEST_TYPES.flatMap((type) => [type, JSON.stringify(states(type))]),
});

/**
 * Every step not done becomes skipped, a step the row never named included: the request
 * ended without them (expired, cancelled, rejected).
 */
export const skipOpenSteps = () => {
  const all = byType((type) => initialSteps(type));
  return raw(
    `(select coalesce(jsonb_object_agg(key, case when value = '"done"'::jsonb then value else '"skipped"'::jsonb end), '{}'::jsonb)
        from jsonb_each(${all.sql} || steps))`,
    all.params,
  );
};

/**
 * The status a pause ends in: a request whose step waited had started (`in_progress`);
 * one paused before its claim (its hold check still running) is `verified` again, so the
 * claim that follows is what starts it, and its owner may cancel until then.
 */
export const resumedStatus = () =>
  raw(
    `case when exists (select 1 from jsonb_each_text(steps) where value = 'waiting') then 'in_progress' else 'verified' end`,
  );

/** The row's side of isCancellable: not a request paused after it started (a step waits). */
export const notStartedCondition = () =>
  raw(`(status <> 'paused' or not exists (select 1 from jsonb_each_text(steps) where value = 'waiting'))`);

/** After a pause, the step that waited carries on. */
export const resumeWaitingStep = () =>
  raw(
    `(select coalesce(jsonb_object_agg(key, case when value = '"waiting"'::jsonb then '"running"'::jsonb else value end), '{}'::jsonb)
        from jsonb_each(steps))`,
  );

/** The given steps take the given states; the others stay as they are. */
export const mergeSteps = (states: StepStates) => raw('steps || ?::jsonb', [JSON.stringify(states)]);

/** The steps the claim starts, which depend on the row's own type. */
export const mergeClaimedSteps = () => {
  const claimed = byType(claimedSteps);
  return raw(`steps || ${claimed.sql}`, claimed.params);
};

/** Pausing a request under way makes its running step wait; before the claim the hold check runs on. */
export const pauseSteps = () =>
  raw(
    `case when status = 'in_progress' then
       (select coalesce(jsonb_object_agg(key, case when value = '"running"'::jsonb then '"waiting"'::jsonb else value end), '{}'::jsonb)
          from jsonb_each(steps))
     else steps end`,
  );

/** The given figures replace those of the same name. */
export const mergeCounts = (counts: Record<string, number>) =>
  raw('counts || ?::jsonb', [JSON.stringify(counts)]);

/** A step is done and the next one runs (unless a retry finds it done already). */
function stepDone(type: RequestType, step: StepName) {
  const next = stepAfter(type, step);
  if (!next) return mergeSteps({ [step]: 'done' });
  return raw(
    `steps || jsonb_build_object(?::text, 'done')
           || case when steps->>?::text = 'done' then '{}'::jsonb else jsonb_build_object(?::text, 'running') end`,
    [step, next, next],
  );
}

/** Which request a step write is about: by id, or the open account deletion of a person. */
export type RequestKey = { id: string } | { deletionOf: string };

const whereKey = (key: RequestKey) =>
  'id' in key
    ? { id: key.id }
    : {
        user: key.deletionOf,
        type: 'deletion' as const,
        status: { $in: ['in_progress', 'paused'] as RequestStatus[] },
      };

/**
 * Marks a step of the request done, with the figures of its work, and the next step
 * running; `also` sets what the step produced (the export's asset) in the same
 * statement. Part of the activity that did the step (no activity of its own).
 */
export async function finishStep(
  em: EntityManager,
  key: RequestKey,
  type: RequestType,
  step: StepName,
  counts: Record<string, number> = {},
  also: { resultAssetId?: string } = {},
): Promise<void> {
  await em.nativeUpdate(RightsRequest, whereKey(key), {
    ...also,
    steps: stepDone(type, step),
    counts: mergeCounts(counts),
  });
}

/** Records figures of a step still under way (files left, jobs asked to stop). */
export async function recordCounts(
  em: EntityManager,
  key: RequestKey,
  counts: Record<string, number>,
  options: { keepFirst?: boolean } = {},
): Promise<void> {
  const merged = options.keepFirst
    ? raw('?::jsonb || counts', [JSON.stringify(counts)])
    : mergeCounts(counts);
  await em.nativeUpdate(RightsRequest, whereKey(key), { counts: merged });
}

/** Adds to a running total (jobs cancelled over several rounds). */
export async function addCount(em: EntityManager, key: RequestKey, name: string, n: number): Promise<void> {
  await em.nativeUpdate(RightsRequest, whereKey(key), {
    counts: raw(`counts || jsonb_build_object(?::text, coalesce((counts->>?::text)::int, 0) + ?::int)`, [
      name,
      name,
      n,
    ]),
  });
}

/** Appends an audit event once per key (a retried activity never writes it twice). */
export async function auditOnce(em: EntityManager, key: string, input: AuditInput): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [key]);
    const [seen] = await tx.execute<{ n: number }[]>(
      `select count(*)::int as n from audit_events where action = ? and details->>'once' = ?`,
      [input.action, key],
    );
    if ((seen?.n ?? 0) > 0) return false;
    await recordAudit(tx, { ...input, details: { ...input.details, once: key } });
    return true;
  });
}
