// What must hold in the database whatever requests came before, even ones refused half-way:
// the API fuzz test (tests/integration/api-fuzz.test.ts) checks these after schemathesis is
// done. Each invariant names the rows that break it, so a failure says what was left
// half-written. A request refused after it wrote something must have undone it; one that
// succeeded must have written everything that goes with it.
import { WorkflowNotFoundError } from '@temporalio/client';
import { BALANCE_EFFECT, STARTING_GRANT_CREDITS } from '../../domain/billing.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { objectExists } from './assets.ts';
import type { TestPlatform } from './platform.ts';

export interface Invariant {
  name: string;
  /** Rows the invariant looked at. */
  checked: number;
  /** Rows that break it, described. */
  broken: string[];
}

type Row = Record<string, unknown>;
const sql = (platform: TestPlatform, query: string, params: unknown[] = []) =>
  platform.clients.orm.em.fork().execute<Row[]>(query, params);

const effectSql = Object.entries(BALANCE_EFFECT)
  .map(([kind, effect]) => `when '${kind}' then ${effect}`)
  .join(' ');

/** Whether Temporal has a workflow with this id (running or ended). */
async function workflowExists(platform: TestPlatform, id: string): Promise<boolean> {
  try {
    await platform.clients.temporal.client.workflow.getHandle(id).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

async function missingWorkflows(platform: TestPlatform, ids: string[]): Promise<string[]> {
  const found = await Promise.all(ids.map((id) => workflowExists(platform, id)));
  return ids.filter((_, i) => !found[i]).map((id) => `no workflow ${id}`);
}

/** The balance kept on the account is the sum of its ledger: no entry without its balance change. */
async function balances(platform: TestPlatform): Promise<Invariant> {
  const rows = await sql(
    platform,
    `select u.id, u.credit_balance as balance,
            coalesce(sum(case l.kind ${effectSql} end * l.credits), 0)::int as ledger
       from users u left join credit_ledger l on l.user_id = u.id
      group by u.id, u.credit_balance`,
  );
  const broken = rows
    .filter((r) => Number(r.balance) !== Number(r.ledger))
    .map((r) => `user ${r.id}: balance ${r.balance}, ledger ${r.ledger}`);
  return { name: 'every balance is the sum of its ledger', checked: rows.length, broken };
}

/** An account the API made (sign-up, Google) got its starting credits, once. */
async function startingGrants(platform: TestPlatform, madeByTest: ReadonlySet<string>): Promise<Invariant> {
  const rows = await sql(
    platform,
    `select u.id, count(l.id)::int as grants, coalesce(sum(l.credits), 0)::int as credits
       from users u left join credit_ledger l on l.user_id = u.id and l.kind = 'grant' and l.reference = 'signup:' || u.id
      group by u.id`,
  );
  const made = rows.filter((r) => !madeByTest.has(String(r.id)));
  const broken = made
    .filter((r) => Number(r.grants) !== 1 || Number(r.credits) !== STARTING_GRANT_CREDITS)
    .map((r) => `user ${r.id}: ${r.grants} starting grants of ${r.credits} credits`);
  return {
    name: 'every account made through the API has its starting credits',
    checked: made.length,
    broken,
  };
}

/** A job exists with its reservation (one, of its quoted price) and its workflow. */
async function jobs(platform: TestPlatform): Promise<Invariant> {
  const rows = await sql(
    platform,
    `select j.id, j.status, j.credits_quoted as quoted,
            count(l.id) filter (where l.kind = 'reserve')::int as reserves,
            coalesce(sum(l.credits) filter (where l.kind = 'reserve'), 0)::int as reserved
       from generation_jobs j left join credit_ledger l on l.job_id = j.id
      group by j.id`,
  );
  const broken = rows
    .filter((r) => Number(r.reserves) !== 1 || Number(r.reserved) !== Number(r.quoted))
    .map((r) => `job ${r.id}: ${r.reserves} reservations of ${r.reserved} for a price of ${r.quoted}`);
  broken.push(
    ...(await missingWorkflows(
      platform,
      rows.map((r) => workflowIds.generation(String(r.id))),
    )),
  );
  return { name: 'every job has its reservation and its workflow', checked: rows.length, broken };
}

/** No upload left pending; a stored file has its object and its retention workflow. */
async function assets(platform: TestPlatform): Promise<Invariant> {
  const rows = await sql(
    platform,
    `select a.id, a.status, a.kind, a.object_key as key, j.status as job_status
       from assets a left join generation_jobs j on j.id = a.job_id`,
  );
  const broken: string[] = [];
  for (const r of rows) {
    // A job's own files may still be on their way while it runs; an upload never stays pending.
    const running =
      r.job_status != null &&
      !['succeeded', 'failed', 'cancelled', 'rejected'].includes(String(r.job_status));
    if (r.status === 'pending' && !running) broken.push(`asset ${r.id} (${r.kind}) pending`);
    if (r.status === 'stored' && !(await objectExists(platform, String(r.key))))
      broken.push(`asset ${r.id} stored without its object`);
  }
  const stored = rows.filter((r) => r.status === 'stored' && r.kind !== 'temp');
  broken.push(
    ...(await missingWorkflows(
      platform,
      stored.map((r) => workflowIds.retention(String(r.id))),
    )),
  );
  return {
    name: 'no upload is left pending; every stored file has its object and its timer',
    checked: rows.length,
    broken,
  };
}

/** A rights request has its workflow, and one waiting for its code was sent one. */
async function rightsRequests(platform: TestPlatform): Promise<Invariant> {
  const rows = await sql(
    platform,
    `select id, status, workflow_id, verification_code_hash is not null as has_code,
            verification_sent_at is not null as sent
       from rights_requests`,
  );
  const broken = rows
    .filter((r) => !r.workflow_id || (r.status === 'awaiting_verification' && !(r.has_code && r.sent)))
    .map((r) => `request ${r.id} (${r.status}): workflow ${r.workflow_id ?? 'none'}, code sent ${r.sent}`);
  const ids = rows.filter((r) => r.workflow_id).map((r) => String(r.workflow_id));
  broken.push(...(await missingWorkflows(platform, [...new Set(ids)])));
  return {
    name: 'every rights request has its workflow, and its code when it waits for one',
    checked: rows.length,
    broken,
  };
}

/**
 * A hold names what it holds (a person, by pseudonym once their account is deleted, or a
 * file), and a released hold says who released it and why.
 */
async function holds(platform: TestPlatform): Promise<Invariant> {
  const rows = await sql(
    platform,
    `select id, user_id, subject_pseudonym, asset_id, released_at, released_by, release_reason from legal_holds`,
  );
  const broken = rows
    .filter(
      (r) =>
        (r.user_id == null && r.subject_pseudonym == null && r.asset_id == null) ||
        (r.released_at != null && (r.released_by == null || !r.release_reason)),
    )
    .map((r) => `hold ${r.id}: user ${r.user_id}, asset ${r.asset_id}, released ${r.released_at}`);
  return {
    name: 'every hold names what it holds, and every release who and why',
    checked: rows.length,
    broken,
  };
}

/** Every invariant, checked now. */
export async function checkInvariants(
  platform: TestPlatform,
  madeByTest: ReadonlySet<string>,
): Promise<Invariant[]> {
  return [
    await balances(platform),
    await startingGrants(platform, madeByTest),
    await jobs(platform),
    await assets(platform),
    await rightsRequests(platform),
    await holds(platform),
  ];
}
