// `npm run db -- backup|restore` with PostgreSQL 18's own pg_dump and pg_restore (fetched
// by scripts/tools.sh): a backup taken, the database changed, then restored to exactly
// what it held, in place and into a new database. Each run uses a database of its own
// on the test stack's server, through the command an operator types.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { AuditEvent, CreditLedgerEntry, User } from '../../db/entities/index.ts';
import { ormOptions } from '../../db/orm.ts';
import { writeLedger } from '../../stores/billing.ts';
import { recordAudit, verifyAuditChain } from '../../platform/audit.ts';
import { runScript } from '../support/cli.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/database.ts';
import { uniqueEmail } from '../support/accounts.ts';

let scratch: ScratchDatabase;
let dir: string;
beforeAll(async () => {
  scratch = await createScratchDatabase(inject('stackEnv'));
  dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-backup-'));
});
afterAll(async () => {
  await scratch?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const db = (args: string[], databaseUrl = scratch.url) =>
  runScript('scripts/db.ts', args, { ...inject('stackEnv'), DATABASE_URL: databaseUrl });

/** What a database holds, read through its own short-lived ORM. */
async function snapshot(url: string) {
  const probe = await MikroORM.init(ormOptions({ url, poolMax: 2 }));
  try {
    const em = probe.em.fork();
    return {
      users: (await em.find(User, {}, { orderBy: { email: 'asc' } })).map((u) => `${u.email}:${u.name}`),
      ledger: await em.count(CreditLedgerEntry, {}),
      balances: (await em.find(User, {}, { orderBy: { email: 'asc' } })).map((u) => u.creditBalance),
      audit: await em.count(AuditEvent, {}),
      chain: await verifyAuditChain(em),
      pendingMigrations: (await probe.migrator.getPending()).length,
    };
  } finally {
    await probe.close(true);
  }
}

describe('database backup and restore', () => {
  it('restores a backup over a changed database and into a new one, rows, balances, audit chain and migrations included', async () => {
    const orm = await scratch.orm();
    const em = orm.em.fork();
    const kept = em.create(User, { email: uniqueEmail('kept'), name: 'Before Backup', role: 'creator' });
    await em.flush();
    await writeLedger(em, { userId: kept.id, kind: 'grant', credits: 40, reference: `backup:${kept.id}` });
    await recordAudit(em, { action: 'test.before_backup', subjectUserId: kept.id });
    const before = await snapshot(scratch.url);
    expect(before.users).toEqual([`${kept.email}:Before Backup`]);
    expect(before.balances).toEqual([40]);
    expect(before.chain.ok).toBe(true);

    const file = path.join(dir, 'clipwise.dump');
    const backup = await db(['backup', file]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/backed up to .*clipwise\.dump \([\d.]+ MiB\) in [\d.]+ s with .*pg_dump/);
    expect((await stat(file)).size).toBeGreaterThan(0);

    // Changes after the backup: a rename, a new account, more credits, another audit event.
    await em.nativeUpdate(User, { id: kept.id }, { name: 'After Backup' });
    const later = em.create(User, { email: uniqueEmail('later'), name: 'Came Later', role: 'creator' });
    await em.flush();
    await writeLedger(em, { userId: kept.id, kind: 'grant', credits: 5, reference: `later:${kept.id}` });
    await recordAudit(em, { action: 'test.after_backup', subjectUserId: later.id });
    expect((await snapshot(scratch.url)).users).toHaveLength(2);

    // While the database is in use (a connection held open, like a running API's), restore refuses.
    await scratch.closePool();
    const running = new pg.Client({ connectionString: scratch.url });
    await running.connect();
    const busy = await db(['restore', file]).finally(() => running.end());
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/1 other session\(s\) are connected .* stop the API and the worker first/);
    expect((await snapshot(scratch.url)).users).toHaveLength(2);

    const restore = await db(['restore', file]);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/restored scratch_\w+ from .* in [\d.]+ s/);
    expect(await snapshot(scratch.url)).toEqual(before);

    // Into a database that does not exist yet: created, then filled.
    const freshUrl = scratch.unusedDatabaseUrl();
    const into = await db(['restore', file], freshUrl);
    expect(into.code).toBe(0);
    expect(into.stdout).toMatch(/\(created\)/);
    expect(await snapshot(freshUrl)).toEqual(before);
  });

  it('names the problem, and leaves no backup file, when a file is missing or a backup cannot be taken', async () => {
    const missing = await db(['restore', path.join(dir, 'nope.dump')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no backup file at .*nope\.dump/);

    const target = path.join(dir, 'failed.dump');
    const absent = scratch.unusedDatabaseUrl();
    const failed = await db(['backup', target], absent);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/database "scratch_\w+" does not exist/);
    await expect(stat(target)).rejects.toThrow();
    await expect(stat(`${target}.partial`)).rejects.toThrow();
  });
});
