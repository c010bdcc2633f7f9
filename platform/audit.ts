// The audit log (S-AUDIT): append-only (a database trigger refuses updates and deletes)
// and hash-chained, each event carrying the hash of the one before it in its chain, so an
// edited or removed event is detected by `verifyAuditChain`. Appends are spread over a
// few chains, each serialised by its own advisory lock: a writer takes the first chain
// no one else holds, so many activities append at once instead of queueing behind one
// lock, while writes that do not overlap keep to chain 0, one unbroken sequence.
//
// People are hashed by pseudonym: each account's random pseudonym (users.pseudonym) is
// recorded beside its id, and the hash covers the pseudonym wherever the id appears. An
// account deletion then drops the id from the person's events (`pseudonymiseAuditEvents`)
// and every hash still holds; the trigger allows that change and no other.
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  action: string;
  actorId?: string | null;
  actorRole?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  /** The person the event is about. */
  subjectUserId?: string | null;
  /** The person's pseudonym, for events written after their account row is gone. */
  subjectPseudonym?: string | null;
  /** Never personal data or secrets: ids, field names, reasons. */
  details?: Record<string, unknown>;
}

interface StoredEvent {
  id: string | number;
  occurred_at: Date;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  subject_user_id: string | null;
  details: Record<string, unknown>;
  actor_pseudonym: string | null;
  subject_pseudonym: string | null;
  target_pseudonym: string | null;
  chain: number;
  prev_hash: string;
  hash: string;
}

/** JSON with object keys sorted at every depth, so the same event always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null));
}

/**
 * The event's hash. Where a person's pseudonym is recorded, the hash covers it in place of
 * their id, in its column and anywhere in the details; an event without pseudonyms (every
 * event written before they existed) hashes exactly as it always did.
 */
export function eventHash(
  prevHash: string,
  event: Omit<StoredEvent, 'id' | 'hash' | 'prev_hash' | 'chain'>,
): string {
  let text = canonical([
    prevHash,
    event.occurred_at,
    event.actor_pseudonym ?? event.actor_id,
    event.actor_role,
    event.action,
    event.target_type,
    event.target_pseudonym ?? event.target_id,
    event.subject_pseudonym ?? event.subject_user_id,
    event.details,
  ]);
  const pairs: [string | null, string | null][] = [
    [event.actor_id, event.actor_pseudonym],
    [event.subject_user_id, event.subject_pseudonym],
    [event.target_id, event.target_pseudonym],
  ];
  for (const [id, pseudonym] of pairs) if (id && pseudonym) text = text.replaceAll(id, pseudonym);
  return createHash('sha256').update(text).digest('hex');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The ids that may be accounts, each once. */
const accountIds = (ids: (string | null)[]) => [
  ...new Set(ids.filter((id): id is string => Boolean(id && UUID.test(id)))),
];

/** How many chains take appends side by side; more than the writers that usually overlap. */
export const AUDIT_CHAINS = 16;
/** Each chain's advisory lock (this key plus the chain) keeps it from forking; "audit" in ASCII. */
export const AUDIT_LOCK_KEY = 0x6175646974;

export interface Taken {
  chain: number;
  /** The chain's newest hash, read once its lock was held. */
  prevHash: string;
  /** The pseudonyms of those of the ids asked about that are accounts. */
  known: Map<string, string>;
}

/** What a statement selects to take a chain for an event (`chainTaking`), as it comes back. */
export interface TakenColumns {
  audit_taken: { chain: number; last_hash: string | null };
  audit_known?: Record<string, string> | null;
}

/**
 * The select-list columns that take the first chain nobody else is appending to (or, if
 * all are busy, one to wait for) and its last hash, by `audit_take_chain`
 * (db/routines.ts), with the people the events name looked up beside it: one statement,
 * where the lock, each busy chain's try and the hash took one each. A caller with a
 * statement of its own to run first in the same transaction selects these in it
 * (stores/retention-proof.ts), and saves the round trip.
 */
export function chainTaking(...inputs: Omit<AuditInput, 'details'>[]): {
  columns: string;
  params: unknown[];
} {
  const ids = accountIds(
    inputs.flatMap((input) => [input.actorId ?? null, input.subjectUserId ?? null, input.targetId ?? null]),
  );
  const lookup =
    ids.length === 0
      ? ''
      : `, (select json_object_agg(id, pseudonym) from users where id in (${ids.map(() => '?').join(', ')})) as audit_known`;
  return {
    columns: `audit_take_chain(?, ?) as audit_taken${lookup}`,
    params: [AUDIT_LOCK_KEY, AUDIT_CHAINS, ...ids],
  };
}

/** The chain a statement with `chainTaking`'s columns took. */
export function takenFrom(row: TakenColumns | undefined): Taken {
  if (!row?.audit_taken) throw new Error('audit_take_chain answered no chain');
  return {
    chain: Number(row.audit_taken.chain),
    prevHash: row.audit_taken.last_hash ?? GENESIS_HASH,
    known: new Map(Object.entries(row.audit_known ?? {})),
  };
}

/** Appends an event; inside the caller's transaction when `em` is a transactional fork. */
export async function recordAudit(em: EntityManager, input: AuditInput): Promise<string> {
  const [hash] = await recordAudits(em, [input]);
  return hash!;
}

/**
 * Appends events, in the order given, to one chain: a transaction of two statements
 * however many there are (a staff list that shows 100 people's records audits each look).
 */
export async function recordAudits(em: EntityManager, inputs: AuditInput[]): Promise<string[]> {
  if (inputs.length === 0) return [];
  const append = async (tx: EntityManager) => {
    const taking = chainTaking(...inputs);
    const [row] = await tx.execute<TakenColumns[]>(`select ${taking.columns}`, taking.params);
    return appendAuditEvents(tx, inputs, takenFrom(row));
  };
  return em.isInTransaction() ? append(em) : em.fork().transactional(append);
}

/**
 * Appends an event to a chain taken in this transaction (`chainTaking`), whose lock is
 * held until the commit.
 */
export async function appendAudit(tx: EntityManager, input: AuditInput, taken: Taken): Promise<string> {
  const [hash] = await appendAuditEvents(tx, [input], taken);
  return hash!;
}

/** One event's values, in the insert's column order. */
const EVENT_ROW = '(?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)';

/**
 * Appends events in the order given, each linked to the one before it, to a chain taken
 * in this transaction for all of them (`chainTaking` with every input): one statement,
 * whose rows take their ids in the order listed, which is the order `verifyAuditChain`
 * walks. Answers their hashes.
 */
export async function appendAuditEvents(
  tx: EntityManager,
  inputs: AuditInput[],
  taken: Taken,
): Promise<string[]> {
  const { chain, known } = taken;
  let prevHash = taken.prevHash;
  // Millisecond precision: what is hashed is exactly what PostgreSQL returns.
  const occurredAt = new Date(Date.now());
  // A target that is an account (whatever its type says) is a person too.
  const pseudonymOf = (id: string | null) => (id ? (known.get(id) ?? null) : null);
  const hashes: string[] = [];
  const params: unknown[] = [];
  for (const input of inputs) {
    const event = {
      occurred_at: occurredAt,
      actor_id: input.actorId ?? null,
      actor_role: input.actorRole ?? null,
      action: input.action,
      target_type: input.targetType ?? null,
      target_id: input.targetId ?? null,
      subject_user_id: input.subjectUserId ?? null,
      details: input.details ?? {},
    };
    const pseudonyms = {
      actor_pseudonym: pseudonymOf(event.actor_id),
      subject_pseudonym:
        pseudonymOf(event.subject_user_id) ??
        (event.subject_user_id ? null : (input.subjectPseudonym ?? null)),
      target_pseudonym: pseudonymOf(event.target_id),
    };
    const hash = eventHash(prevHash, { ...event, ...pseudonyms });
    params.push(
      event.occurred_at,
      event.actor_id,
      event.actor_role,
      event.action,
      event.target_type,
      event.target_id,
      event.subject_user_id,
      JSON.stringify(event.details),
      pseudonyms.actor_pseudonym,
      pseudonyms.subject_pseudonym,
      pseudonyms.target_pseudonym,
      chain,
      prevHash,
      hash,
    );
    hashes.push(hash);
    prevHash = hash;
  }
  if (inputs.length === 0) return hashes;
  await tx.execute(
    `insert into audit_events (occurred_at, actor_id, actor_role, action, target_type, target_id, subject_user_id, details,
                               actor_pseudonym, subject_pseudonym, target_pseudonym, chain, prev_hash, hash)
     values ${inputs.map(() => EVENT_ROW).join(', ')}`,
    params,
  );
  return hashes;
}

export type AuditChainResult =
  { ok: true; events: number } | { ok: false; events: number; brokenAtId: string; reason: string };

/**
 * Walks every chain in order; reports the first event whose hash or link does not hold,
 * or the newest event of a chain, as its head has it, when the walk never met it (the
 * chain's newest events were removed: no later event links to them).
 */
export async function verifyAuditChain(em: EntityManager, batchSize = 1000): Promise<AuditChainResult> {
  const lastHash = new Map<number, string>();
  // Read before the walk: every event a head names was committed before it began.
  const heads = await em.execute<{ chain: number; last_id: string; last_hash: string }[]>(
    'select chain, last_id::text as last_id, last_hash from audit_chain_heads order by audit_chain_heads.last_id',
  );
  const unmet = new Map(heads.map((h) => [Number(h.chain), h]));
  let afterId = '0';
  let count = 0;
  for (;;) {
    const rows = await em.execute<StoredEvent[]>(
      `select id::text as id, occurred_at, actor_id, actor_role, action, target_type, target_id, subject_user_id, details,
              actor_pseudonym, subject_pseudonym, target_pseudonym, chain, prev_hash, hash
         from audit_events where audit_events.id > ?::bigint order by audit_events.id limit ?`,
      [afterId, batchSize],
    );
    if (rows.length === 0) {
      const [missing] = unmet.values();
      return missing
        ? {
            ok: false,
            events: count,
            brokenAtId: missing.last_id,
            reason: 'the newest events of its chain were removed',
          }
        : { ok: true, events: count };
    }
    for (const row of rows) {
      count++;
      const id = String(row.id);
      // Raw rows carry timestamps as text; hash the instant, as when it was written.
      row.occurred_at = new Date(row.occurred_at);
      if (row.prev_hash !== (lastHash.get(row.chain) ?? GENESIS_HASH)) {
        return {
          ok: false,
          events: count,
          brokenAtId: id,
          reason: 'an event before this one was removed or changed',
        };
      }
      const head = unmet.get(row.chain);
      if (
        eventHash(row.prev_hash, row) !== row.hash ||
        (head?.last_id === id && head.last_hash !== row.hash)
      ) {
        return { ok: false, events: count, brokenAtId: id, reason: 'this event was edited' };
      }
      if (head?.last_id === id) unmet.delete(row.chain);
      lastHash.set(row.chain, row.hash);
      afterId = id;
    }
  }
}

/**
 * Drops an account's id from every audit event that names it, leaving the pseudonym
 * recorded with it (and writing the pseudonym where the id stood in the target or the
 * details): the one change the trigger allows. Events written before pseudonyms existed
 * cannot change and keep the id. Returns the events changed.
 */
export async function pseudonymiseAuditEvents(tx: EntityManager, userId: string): Promise<number> {
  const changed = await tx.execute<{ id: string }[]>(
    `update audit_events set
        actor_id = case when actor_id = ?::uuid and actor_pseudonym is not null then null else actor_id end,
        subject_user_id = case when subject_user_id = ?::uuid and subject_pseudonym is not null then null else subject_user_id end,
        target_id = case when target_id = ? and target_pseudonym is not null then target_pseudonym::text else target_id end,
        details = replace(details::text, ?,
          coalesce(case when actor_id = ?::uuid then actor_pseudonym end,
                   case when subject_user_id = ?::uuid then subject_pseudonym end,
                   case when target_id = ? then target_pseudonym end)::text)::jsonb
      where (actor_id = ?::uuid and actor_pseudonym is not null)
         or (subject_user_id = ?::uuid and subject_pseudonym is not null)
         or (target_id = ? and target_pseudonym is not null)
      returning id`,
    [userId, userId, userId, userId, userId, userId, userId, userId, userId, userId],
  );
  return changed.length;
}
