import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent } from '../../db/entities/index.ts';
import {
  AUDIT_CHAINS,
  pseudonymiseAuditEvents,
  recordAudit,
  verifyAuditChain,
} from '../../platform/audit.ts';
import { orphanDedupeKey, recordDeletion } from '../../stores/retention-proof.ts';
import { createAccount } from '../support/accounts.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/database.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let scratch: ScratchDatabase;
beforeAll(async () => {
  // A database of its own: the tamper tests break the chain for a moment, which other
  // files verifying it would see, and their appends would land between this file's events.
  scratch = await createScratchDatabase(inject('stackEnv'));
  await scratch.closePool(); // the platform opens its own, with a connection for every chain
  // A connection for every chain held at once, and more (the waiting test below).
  platform = await startTestPlatform({
    workers: false,
    env: { DATABASE_URL: scratch.url, DATABASE_POOL_MAX: String(AUDIT_CHAINS + 4) },
  });
});
afterAll(async () => {
  await platform?.stop();
  await scratch?.drop();
});

/**
 * Runs `tamper` the way an attacker with direct database access would (bypassing the
 * append-only trigger), checks what verification finds, then puts the row back so the
 * chain is whole again for every other test.
 */
async function whileTampered<T>(
  tamper: (em: EntityManager) => Promise<unknown>,
  restore: (em: EntityManager) => Promise<unknown>,
  check: () => Promise<T>,
): Promise<T> {
  const em = platform.clients.orm.em.fork();
  await em.transactional(async (tx) => {
    await tx.execute('set local session_replication_role = replica');
    await tamper(tx);
  });
  try {
    return await check();
  } finally {
    await em.transactional(async (tx) => {
      await tx.execute('set local session_replication_role = replica');
      await restore(tx);
    });
  }
}

describe('audit log [S-AUDIT]', () => {
  it('is append-only: the database refuses to change or remove an event', async () => {
    const em = platform.clients.orm.em.fork();
    await recordAudit(em, { action: 'test.append_only', details: { n: 1 } });
    await expect(
      em.execute(`update audit_events set action = 'x' where action = 'test.append_only'`),
    ).rejects.toThrow(/append-only/);
    await expect(em.execute(`delete from audit_events where action = 'test.append_only'`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('chains every event to the one before and detects an edited or removed event', async () => {
    const em = platform.clients.orm.em.fork();
    for (let i = 0; i < 5; i++)
      await recordAudit(em, {
        action: 'test.chain',
        targetId: `t${i}`,
        details: { i, nested: { b: 2, a: 1 } },
      });
    expect(await verifyAuditChain(em)).toMatchObject({ ok: true });

    const rows = await em.execute<{ id: string; details: unknown; prev_hash: string; hash: string }[]>(
      `select id::text as id, details, prev_hash, hash from audit_events where action = 'test.chain' order by id`,
    );
    const victim = rows[2]!;

    const edited = await whileTampered(
      (tx) => tx.execute(`update audit_events set details = '{"i": 99}'::jsonb where id = ?`, [victim.id]),
      (tx) =>
        tx.execute(`update audit_events set details = ?::jsonb where id = ?`, [
          JSON.stringify(victim.details),
          victim.id,
        ]),
      () => verifyAuditChain(platform.clients.orm.em.fork()),
    );
    expect(edited).toMatchObject({ ok: false, brokenAtId: victim.id, reason: 'this event was edited' });

    const full = await em.execute<Record<string, unknown>[]>(`select * from audit_events where id = ?`, [
      victim.id,
    ]);
    const removed = await whileTampered(
      (tx) => tx.execute(`delete from audit_events where id = ?`, [victim.id]),
      (tx) => {
        const r = full[0]!;
        return tx.execute(
          `insert into audit_events (id, occurred_at, actor_id, actor_role, action, target_type, target_id, subject_user_id, details, prev_hash, hash)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)`,
          [
            r.id,
            r.occurred_at,
            r.actor_id,
            r.actor_role,
            r.action,
            r.target_type,
            r.target_id,
            r.subject_user_id,
            JSON.stringify(r.details),
            r.prev_hash,
            r.hash,
          ],
        );
      },
      () => verifyAuditChain(platform.clients.orm.em.fork()),
    );
    expect(removed).toMatchObject({
      ok: false,
      brokenAtId: rows[3]!.id,
      reason: 'an event before this one was removed or changed',
    });

    expect(await verifyAuditChain(em)).toMatchObject({ ok: true });
  });

  it('detects the removal of a chain’s newest events, which no later event links to', async () => {
    const em = platform.clients.orm.em.fork();
    for (let i = 0; i < 3; i++) await recordAudit(em, { action: 'test.newest', details: { i } });
    const rows = await em.execute<Record<string, unknown>[]>(
      `select * from audit_events where action = 'test.newest' order by id`,
    );
    const newest = rows.at(-1)!;
    const [head] = await em.execute<{ last_id: string }[]>(
      `select last_id::text as last_id from audit_chain_heads where chain = ?`,
      [newest.chain],
    );
    expect(head!.last_id).toBe(String(newest.id));

    const removed = await whileTampered(
      (tx) => tx.execute(`delete from audit_events where id = ?`, [newest.id]),
      (tx) =>
        tx.execute(
          `insert into audit_events select * from jsonb_populate_record(null::audit_events, ?::jsonb)`,
          [JSON.stringify(newest)],
        ),
      () => verifyAuditChain(platform.clients.orm.em.fork()),
    );
    expect(removed).toMatchObject({
      ok: false,
      brokenAtId: String(newest.id),
      reason: 'the newest events of its chain were removed',
    });
    expect(await verifyAuditChain(em)).toMatchObject({ ok: true });
  });

  it('keeps its chains’ heads moving forward only', async () => {
    const em = platform.clients.orm.em.fork();
    await recordAudit(em, { action: 'test.head', details: {} });
    await expect(em.execute(`update audit_chain_heads set last_id = last_id - 1`)).rejects.toThrow(
      /only move forward/,
    );
    await expect(em.execute(`delete from audit_chain_heads`)).rejects.toThrow(/only move forward/);
  });

  it('keeps one unbroken chain when many events are written at once', async () => {
    const em = platform.clients.orm.em.fork();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        recordAudit(em.fork(), { action: 'test.concurrent', details: { i } }),
      ),
    );
    expect(await verifyAuditChain(em)).toMatchObject({ ok: true });
  });

  it('[S-AUDIT] deletions recorded at once beside other appends each leave one event, and every chain verifies', async () => {
    // A deletion takes its audit chain in the statement that writes its proof
    // (stores/retention-proof.ts), not in a statement of its own: the chain must hold all the same.
    const em = platform.clients.orm.em.fork();
    const sweepId = `audit-test-${Date.now()}`;
    const now = new Date();
    const deletions = Array.from({ length: 24 }, (_, i) =>
      recordDeletion(
        em.fork(),
        {
          dedupeKey: orphanDedupeKey(sweepId, `orphans/${i}`),
          assetId: null,
          objectKey: `orphans/${i}`,
          kind: null,
          ownerId: null,
          reason: 'orphan',
          requestedBy: null,
          requestedAt: now,
          deletedAt: now,
          objectExisted: true,
          contentSha256: null,
          sizeBytes: i,
          verifiedAt: now,
          verification: 'head: not found',
        },
        { action: 'test.deletion', actorRole: 'system', targetType: 'object', details: { sweepId } },
      ),
    );
    const appends = Array.from({ length: 24 }, (_, i) =>
      recordAudit(em.fork(), { action: 'test.beside_deletions', details: { i } }),
    );
    const [recorded] = await Promise.all([Promise.all(deletions), Promise.all(appends)]);
    expect(recorded.every((r) => r.created)).toBe(true);
    const events = await em.execute<{ proof_id: string }[]>(
      `select details->>'proofId' as proof_id from audit_events where action = 'test.deletion' and details->>'sweepId' = ?`,
      [sweepId],
    );
    expect(events.map((e) => e.proof_id).sort()).toEqual(recorded.map((r) => r.proofId).sort());
    expect(await verifyAuditChain(em)).toMatchObject({ ok: true });
  });

  it('[S-AUDIT] takes appends from many writers at once, each in its own transaction, and every chain verifies', async () => {
    // Four writers each append and then keep their transaction open until all four have
    // appended: behind one global lock the second could never append, and this would time out.
    const writers = 4;
    let appended = 0;
    let release!: () => void;
    const allAppended = new Promise<void>((resolve) => (release = resolve));
    await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        platform.clients.orm.em.fork().transactional(async (tx) => {
          await recordAudit(tx, { action: 'test.overlapping', details: { i } });
          if (++appended === writers) release();
          await allAppended;
        }),
      ),
    );
    const em = platform.clients.orm.em.fork();
    const chains = await em.execute<{ chain: number }[]>(
      `select distinct chain from audit_events where action = 'test.overlapping'`,
    );
    expect(chains).toHaveLength(writers);
    expect(await verifyAuditChain(em)).toMatchObject({ ok: true });
  });

  it('[S-AUDIT] an append that waits for a busy chain continues it from the event written while it waited', async () => {
    // Every chain held, each by a writer that has appended to it and not yet committed.
    let appended = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: AUDIT_CHAINS }, (_, i) =>
      platform.clients.orm.em.fork().transactional(async (tx) => {
        await recordAudit(tx, { action: 'test.holding', details: { i } });
        appended++;
        await held;
      }),
    );
    await vi.waitFor(() => expect(appended).toBe(AUDIT_CHAINS), { timeout: 10_000 });
    // One more append finds every chain busy and waits for one of them. Its own connection
    // is watched: other test files share this database, and their appends may wait too.
    let waiterPid: number | undefined;
    const waiting = platform.clients.orm.em.fork().transactional(async (tx) => {
      const [me] = await tx.execute<{ pid: number }[]>('select pg_backend_pid() as pid');
      waiterPid = me!.pid;
      await recordAudit(tx, { action: 'test.waited', details: {} });
    });
    const em = platform.clients.orm.em.fork();
    await vi.waitFor(
      async () => {
        expect(waiterPid).toBeDefined();
        const [row] = await em.execute<{ wait_event: string | null }[]>(
          `select wait_event from pg_stat_activity where pid = ? and wait_event_type = 'Lock'`,
          [waiterPid],
        );
        expect(row?.wait_event).toBe('advisory');
      },
      { timeout: 10_000 },
    );
    release();
    await Promise.all(holders);
    await waiting;
    // Its link is the hash of the event before it in its chain, committed while it waited
    // (its holder's, or another waiter's that got the chain first), never an older one.
    const [waited] = await em.execute<{ id: string; chain: number; prev_hash: string }[]>(
      `select id, chain, prev_hash from audit_events where action = 'test.waited'`,
    );
    const [before] = await em.execute<{ hash: string }[]>(
      `select hash from audit_events where chain = ? and id < ? order by id desc limit 1`,
      [waited!.chain, waited!.id],
    );
    expect(waited!.prev_hash).toBe(before!.hash);
    const [holding] = await em.execute<{ n: number }[]>(
      `select count(*)::int as n from audit_events where chain = ? and action = 'test.holding' and id < ?`,
      [waited!.chain, waited!.id],
    );
    expect(holding!.n).toBe(1);
    expect(await verifyAuditChain(em)).toMatchObject({ ok: true });
  });

  it('[D-ERASE] names people by pseudonym in its hashes, so a deletion drops their id and the chain holds; nothing else may change', async () => {
    const em = platform.clients.orm.em.fork();
    const person = await createAccount(platform);
    const staff = await createAccount(platform, { role: 'support' });
    const action = `test.pseudonym.${person.id.slice(0, 8)}`;
    await recordAudit(em, {
      action,
      actorId: staff.id,
      actorRole: 'support',
      targetType: 'user',
      targetId: person.id,
      subjectUserId: person.id,
      details: { looked: person.id, by: staff.id },
    });
    const [before] = await em.fork().find(AuditEvent, { action });
    expect(before).toMatchObject({
      actorPseudonym: staff.pseudonym,
      subjectPseudonym: person.pseudonym,
      targetPseudonym: person.pseudonym,
    });
    // The trigger refuses every other change: an id put back, another field, a pseudonym.
    await expect(
      em.execute(`update audit_events set subject_user_id = ? where action = ?`, [staff.id, action]),
    ).rejects.toThrow(/append-only/);
    await expect(
      em.execute(`update audit_events set subject_user_id = null, action = 'x' where action = ?`, [action]),
    ).rejects.toThrow(/append-only/);
    await expect(
      em.execute(`update audit_events set subject_pseudonym = gen_random_uuid() where action = ?`, [action]),
    ).rejects.toThrow(/append-only/);
    await expect(
      em.execute(`update audit_events set details = '{}'::jsonb, subject_user_id = null where action = ?`, [
        action,
      ]),
    ).rejects.toThrow(/append-only/);

    expect(await em.transactional((tx) => pseudonymiseAuditEvents(tx, person.id))).toBe(1);
    const [after] = await em.fork().find(AuditEvent, { action });
    expect(after).toMatchObject({
      actorId: staff.id,
      subjectUserId: null,
      targetId: person.pseudonym,
      details: { looked: person.pseudonym, by: staff.id },
    });
    expect(JSON.stringify(after)).not.toContain(person.id);
    expect(await verifyAuditChain(em)).toMatchObject({ ok: true });
    // Dropping the id is the only way back: an event still cannot be removed.
    await expect(em.execute(`delete from audit_events where action = ?`, [action])).rejects.toThrow(
      /append-only/,
    );
  });
});
