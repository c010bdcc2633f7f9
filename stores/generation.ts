// A generation job's records as both sides use them: the workflow's activities write the
// job's live state (status, progress, queue position) as they go, and the API reads it
// from here (and hears of each change by PostgreSQL NOTIFY), never from the workflow.
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { GenerationJob } from '../db/entities/index.ts';
import { FAILURE_TYPES } from '../domain/failures.ts';
import { END_STATUSES, type EndStatus, type JobParameters, type JobStatus } from '../domain/generation.ts';
import {
  appendAudit,
  chainTaking,
  takenFrom,
  type AuditInput,
  type TakenColumns,
} from '../platform/audit.ts';
import { balanceChanging, ledgerOutcome, type LedgerColumns, type LedgerWrite } from './billing.ts';
import { setGivenColumns, withCarried, type CarriedWrite } from './sql-sets.ts';

/** The channel PostgreSQL announces a job's change on (the migration's trigger). */
export const JOB_CHANNEL = 'generation_job';

/**
 * The job as an entity, read by a plain select that the ORM then maps: 0.27 to 0.33 ms of
 * CPU a read against 0.58 to 0.69 for `findOne`'s query building (2,000 reads each, the
 * same entity); a job's admission and submission read it with their checks (below).
 */
export async function loadJob(orm: MikroORM, jobId: string): Promise<GenerationJob> {
  const em = orm.em.fork();
  const [row] = await em.execute<Record<string, unknown>[]>('select * from generation_jobs where id = ?', [
    jobId,
  ]);
  if (!row) throw ApplicationFailure.nonRetryable(`no job ${jobId}`, FAILURE_TYPES.jobNotFound);
  return em.map(GenerationJob, row);
}

/** A job with the checks its steps make before acting (activities/generation/). */
export interface JobWithChecks {
  job: GenerationJob;
  /** Its price is already reserved (every job the API created). */
  reserved: boolean;
  /** Its provider's circuit breaker is open now, by the database's clock (as `breakerOpen`). */
  providerDown: boolean;
  /** A temporary file of its own is still stored (only a local render makes them). */
  hasTempFiles: boolean;
}

/**
 * The job, whether its reservation exists, whether its provider's breaker is open and
 * whether it has temporary files, in one statement: admitting a job took three for them
 * (`loadJob`, a look for its reservation, `breakerOpen`), submitting it two, and finishing it two
 * (the job, and a search for its temporary files), each a round trip. 1,500
 * admissions, alternating with the three: 0.88 to 0.92 ms each against 1.27 to 1.29, and
 * 0.48 to 0.51 ms of the worker's CPU against 0.71 to 0.75.
 */
export async function loadJobWithChecks(orm: MikroORM, jobId: string): Promise<JobWithChecks> {
  const em = orm.em.fork();
  const [row] = await em.execute<Record<string, unknown>[]>(
    `select j.*,
            exists (select 1 from credit_ledger l where l.job_id = j.id and l.kind = 'reserve') as checked_reserved,
            coalesce((select h.open_until > now() from provider_health h where h.provider = j.provider), false)
              as checked_provider_down,
            exists (select 1 from assets a where a.job_id = j.id and a.kind = 'temp' and a.status <> 'deleted')
              as checked_temp_files
       from generation_jobs j where j.id = ?`,
    [jobId],
  );
  if (!row) throw ApplicationFailure.nonRetryable(`no job ${jobId}`, FAILURE_TYPES.jobNotFound);
  const {
    checked_reserved: reserved,
    checked_provider_down: providerDown,
    checked_temp_files: tempFiles,
    ...job
  } = row;
  return {
    job: em.map(GenerationJob, job),
    reserved: reserved === true,
    providerDown: providerDown === true,
    hasTempFiles: tempFiles === true,
  };
}

/**
 * The job a person's Idempotency-Key already made, if any: looked up before every job is
 * created, and almost always absent, so read as `loadJob` reads.
 */
export async function jobByIdempotencyKey(
  em: EntityManager,
  userId: string,
  key: string,
): Promise<GenerationJob | null> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    'select * from generation_jobs where user_id = ? and idempotency_key = ?',
    [userId, key],
  );
  return row ? em.map(GenerationJob, row) : null;
}

/** A new job's row, as the API creates it (every other column starts empty). */
export interface NewJob {
  id: string;
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  quoteId: string | null;
  model: string;
  provider: string;
  prompt: string;
  parameters: JobParameters;
  creditsQuoted: number;
  parentJobId: string | null;
  revisionKind: string | null;
}

/**
 * Creates a job with its credits reserved and its creation audited, in the caller's
 * transaction, so the three stand or fall together. The job's row, the reservation with
 * the balance it takes (stores/billing.ts) and the audit chain taken are one statement,
 * then the event is appended: with the transaction's own two, four round trips where
 * the ORM's insert, the reservation, the chain and the event took six. A balance that
 * does not cover the price throws InsufficientCredits; the same Idempotency-Key raced by
 * a concurrent request violates the key's unique constraint. The job's insert runs first
 * (the statement's rows come from it), so a request racing on the same key waits at the
 * key before it takes the balance's row lock, never holding one the other needs.
 */
export async function insertReservedJob(
  tx: EntityManager,
  job: NewJob,
  reservation: LedgerWrite,
  audit: AuditInput,
): Promise<GenerationJob> {
  const ledger = balanceChanging(reservation);
  const taking = chainTaking(audit);
  const [row] = await tx.execute<(Record<string, unknown> & LedgerColumns & TakenColumns)[]>(
    `with job as (
         insert into generation_jobs (id, user_id, idempotency_key, request_hash, quote_id, model, provider, prompt,
                                      parameters, status, status_changed_at, credits_quoted, parent_job_id,
                                      revision_kind, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, 'moderating', now(), ?, ?, ?, now())
         returning *),
       ${ledger.ctes}
     select job.*, ${ledger.columns}, ${taking.columns} from job`,
    [
      job.id,
      job.userId,
      job.idempotencyKey,
      job.requestHash,
      job.quoteId,
      job.model,
      job.provider,
      job.prompt,
      JSON.stringify(job.parameters),
      job.creditsQuoted,
      job.parentJobId,
      job.revisionKind,
      ...ledger.cteParams,
      ...ledger.columnParams,
      ...taking.params,
    ],
  );
  await ledgerOutcome(tx, reservation, row);
  await appendAudit(tx, audit, takenFrom(row));
  // The job's own columns, without those the reservation and the chain added.
  const {
    ledger_applied: _applied,
    ledger_changed: _changed,
    ledger_balance: _balance,
    audit_taken: _taken,
    audit_known: _known,
    ...created
  } = row!;
  return tx.map(GenerationJob, created);
}

/** What storing a job's output needs to know of the job. */
export interface SavingJob {
  id: string;
  userId: string | null;
  scriptProjectId: string | null;
  /** Fixed the first time, so a retry writes the same object and row. */
  outputAssetId: string;
  /** An earlier attempt stored the output already (its answer was lost). */
  outputStored: boolean;
}

const ENDED = END_STATUSES.map((s) => `'${s}'`).join(', ');

/** SET clauses that move a job's status on, unless it has ended (then it keeps its own). */
const movingStatusTo = (status: JobStatus) => [
  `status = case when status in (${ENDED}) then status else '${status}' end`,
  `status_changed_at = case when status in (${ENDED}) then status_changed_at else now() end`,
];

/**
 * The job's output is being saved: its status says so (unless the job has ended) and its
 * output asset id is fixed if it was not yet. One statement, where loading the job,
 * recording its status, fixing the id and looking for a stored output took five.
 */
export async function beginSaving(em: EntityManager, jobId: string): Promise<SavingJob> {
  const [row] = await em.execute<
    {
      user_id: string | null;
      script_project_id: string | null;
      output_asset_id: string;
      output_stored: boolean;
    }[]
  >(
    `update generation_jobs
        set output_asset_id = coalesce(output_asset_id, gen_random_uuid()), ${movingStatusTo('saving').join(', ')}
      where id = ?
      returning user_id, script_project_id, output_asset_id,
        exists (select 1 from assets
                 where assets.id = generation_jobs.output_asset_id and assets.status = 'stored')
          as output_stored`,
    [jobId],
  );
  if (!row) throw ApplicationFailure.nonRetryable(`no job ${jobId}`, FAILURE_TYPES.jobNotFound);
  return {
    id: jobId,
    userId: row.user_id,
    scriptProjectId: row.script_project_id,
    outputAssetId: row.output_asset_id,
    outputStored: row.output_stored,
  };
}

/**
 * The job was admitted: on its way to the provider. One statement records the prompt's
 * verdict (when moderation ran), the start (once) and the `queued` status (unless the job
 * has ended meanwhile).
 */
export async function markQueued(
  em: EntityManager,
  jobId: string,
  verdict?: { verdict: string; categories: readonly string[] },
): Promise<void> {
  const sets = [
    'started_at = coalesce(started_at, now())',
    ...movingStatusTo('queued'),
    `status_message = case when status in (${ENDED}) then status_message else null end`,
  ];
  const values: unknown[] = [];
  if (verdict) {
    sets.push('moderation_verdict = ?', 'moderation_categories = ?::jsonb');
    values.push(verdict.verdict, JSON.stringify(verdict.categories));
  }
  await em.execute(`update generation_jobs set ${sets.join(', ')} where id = ?`, [...values, jobId]);
}

/** D-RECIPIENTS: a provider received a job's data (its prompt, and its input images). */
export interface RecipientEntry {
  userId: string | null;
  jobId: string;
  provider: string;
  taskId: string;
  inputCount: number;
}

/** The recipients ledger's insert: once per task (its provider and task id are unique). */
const RECIPIENT_INSERT = `insert into data_recipients (id, user_id, job_id, provider, provider_task_id, data_categories, input_count, sent_at)
  values (gen_random_uuid(), ?, ?, ?, ?, ?::jsonb, ?, now()) on conflict (provider, provider_task_id) do nothing`;

const recipientValues = (r: RecipientEntry) => [
  r.userId,
  r.jobId,
  r.provider,
  r.taskId,
  JSON.stringify(r.inputCount > 0 ? ['prompt', 'input_images'] : ['prompt']),
  r.inputCount,
];

/** Records that the provider received the job as `entry.taskId`. */
export async function recordRecipient(em: EntityManager, entry: RecipientEntry): Promise<void> {
  await em.execute(RECIPIENT_INSERT, recipientValues(entry));
}

/**
 * The provider accepted the job as this task: the task id and the `submitted` status on
 * the job, and the recipient in its ledger, in one statement.
 */
export async function markSubmitted(
  em: EntityManager,
  entry: RecipientEntry,
  carried?: CarriedWrite,
): Promise<void> {
  const { sql, values } = withCarried(
    `with submitted as (
       update generation_jobs
          set provider_task_id = ?, submitted_at = now(), submit_attempted_at = null,
              ${movingStatusTo('submitted').join(', ')}
        where id = ?)
     ${RECIPIENT_INSERT}`,
    [entry.taskId, entry.jobId, ...recipientValues(entry)],
    carried,
  );
  await em.execute(sql, values);
}

export const jobParameters = (job: GenerationJob) => job.parameters as unknown as JobParameters;

export interface LiveState {
  status?: JobStatus;
  progress?: number | null;
  queuePosition?: number | null;
  etaSeconds?: number | null;
  statusMessage?: string | null;
}

/**
 * Records what the job is doing now. A status only moves on while the job has not
 * ended (a late poll never reopens a finished job); progress never goes backwards.
 */
export async function recordLiveState(
  em: EntityManager,
  jobId: string,
  live: LiveState,
  carried?: CarriedWrite,
): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [];
  if (live.status) {
    sets.push('status = ?', 'status_changed_at = now()');
    values.push(live.status);
  }
  if (live.progress !== undefined) {
    sets.push('progress = greatest(coalesce(progress, 0), ?)');
    values.push(live.progress === null ? 0 : Math.max(0, Math.min(1, live.progress)));
  }
  setGivenColumns(sets, values, [
    ['queue_position', live.queuePosition],
    ['eta_seconds', live.etaSeconds],
    ['status_message', live.statusMessage],
  ]);
  const statement =
    sets.length === 0
      ? withCarried('select 1', [], carried)
      : withCarried(
          `update generation_jobs set ${sets.join(', ')}
            where id = ? and status not in ('succeeded', 'failed', 'cancelled', 'rejected')`,
          [...values, jobId],
          carried,
        );
  if (sets.length > 0 || carried) await em.execute(statement.sql, statement.values);
}

/** How a job ended, as its row records it. */
export interface JobEnding {
  status: EndStatus;
  failureCode: string | null;
  failureReason: string | null;
  creditsCharged: number;
}

/**
 * Ends the job, once (only while it has no end), and audits that end in the same
 * transaction, the audit chain taken in the update's own statement. The end and its event
 * stand or fall together: a crash between them can no longer leave an ended job without
 * its event that a retry would then skip. True when this call ended the job.
 */
export async function endJob(
  em: EntityManager,
  jobId: string,
  end: JobEnding,
  audit: AuditInput,
): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    const taking = chainTaking(audit);
    const [row] = await tx.execute<({ ended: number } & TakenColumns)[]>(
      `with ended as (
         update generation_jobs
            set status = ?, status_changed_at = now(), failure_code = ?, failure_reason = ?, finished_at = now(),
                credits_charged = ?, progress = case when ? then 1 else progress end,
                queue_position = null, eta_seconds = null
          where id = ? and finished_at is null returning id)
       select (select count(*) from ended)::int as ended, ${taking.columns}`,
      [
        end.status,
        end.failureCode,
        end.failureReason,
        end.creditsCharged,
        end.status === 'succeeded',
        jobId,
        ...taking.params,
      ],
    );
    if (row?.ended !== 1) return false;
    await appendAudit(tx, audit, takenFrom(row));
    return true;
  });
}
