// PostgreSQL's own log never holds what our statements carry (db/private-errors.ts). The ORM
// writes each statement's values into its SQL text, so with PostgreSQL's defaults a
// failing one is logged whole: a raced Idempotency-Key logged the job's prompt, a raced
// sign-up would log the email address, a refused row every column of it. The server is
// started here as the dev stack and the test stacks start it (scripts/stack/services.ts).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CheckConstraintViolationException,
  MikroORM,
  UniqueConstraintViolationException,
} from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PRIVATE_ERROR_LOG, errorLogExposure } from '../../db/private-errors.ts';
import { createClients } from '../../platform/clients.ts';
import { createLogger } from '../../platform/logger.ts';
import { eventually } from '../support/assets.ts';
import { testConfig } from '../support/platform.ts';
import { ormOptions } from '../../db/orm.ts';
import { freePort, type Service } from '../../scripts/stack/process.ts';
import { startPostgres } from '../../scripts/stack/services.ts';

let dir: string;
let postgres: Service & { url: string };
const logged: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-pglog-'));
  await chmod(dir, 0o755); // PostgreSQL runs as its own user when we are root
  postgres = await startPostgres({
    port: await freePort(),
    dataDir: path.join(dir, 'pg'),
    database: 'pglog',
    ephemeral: true,
    log: (_service, line) => void logged.push(line),
  });
}, 60_000);

afterAll(async () => {
  await postgres?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('PostgreSQL’s log and the ORM’s errors', () => {
  it('say a statement failed and on which constraint, never the values it carried', async () => {
    const orm = await MikroORM.init(ormOptions({ url: postgres.url, poolMax: 2 }));
    try {
      const em = orm.em.fork();
      await em.execute(
        `create table people (email text unique, credits int check (credits >= 0), prompt text)`,
      );
      const email = `pglog-${randomUUID()}@example.com`;
      const prompt = `a prompt ${randomUUID()}`;
      const insert = (credits: number) =>
        em.execute('insert into people (email, credits, prompt) values (?, ?, ?)', [email, credits, prompt]);
      await insert(1);
      // A raced unique key (its DETAIL names the key's value) and a refused row (its
      // DETAIL holds the row); each failing statement carries both values in its text.
      const raced = await insert(1).catch((err: unknown) => err);
      const refused = await insert(-1).catch((err: unknown) => err);
      expect(raced).toBeInstanceOf(UniqueConstraintViolationException);
      expect(refused).toBeInstanceOf(CheckConstraintViolationException);
      // The errors name the constraint, which is what handling them needs, and no value:
      // neither in the message and stack (what logs and Temporal's failures keep) nor in
      // any other field.
      for (const [err, constraint] of [
        [raced, 'people_email_key'],
        [refused, 'people_credits_check'],
      ] as const) {
        expect((err as Error).message).toContain(constraint);
        const everything = JSON.stringify(err, Object.getOwnPropertyNames(err));
        expect(everything).not.toContain(email);
        expect(everything).not.toContain(prompt);
      }

      await vi.waitFor(() => {
        expect(logged.some((l) => l.includes('violates unique constraint "people_email_key"'))).toBe(true);
        expect(logged.some((l) => l.includes('violates check constraint "people_credits_check"'))).toBe(true);
      });
      expect(logged.filter((l) => l.includes(email) || l.includes(prompt))).toEqual([]);
      expect(logged.filter((l) => /\b(STATEMENT|DETAIL):/.test(l))).toEqual([]);
    } finally {
      await orm.close(true);
    }
  });

  it('is found private by the check the API and worker make at start, and not once a session sets the defaults back', async () => {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const query = async (sql: string) => (await client.query<{ name: string; setting: string }>(sql)).rows;
      expect(await errorLogExposure(query)).toEqual([]);
      // PostgreSQL's own defaults, as a server nobody configured has them.
      await client.query(`set log_min_error_statement = 'error'`);
      await client.query(`set log_error_verbosity = 'default'`);
      expect(await errorLogExposure(query)).toEqual(
        Object.entries(PRIVATE_ERROR_LOG).map(([name, value]) => `${name}=${value}`),
      );
    } finally {
      await client.end();
    }
  });

  it('is said at start by the platform’s clients (the API’s and the worker’s) on a server that would log values', async () => {
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    // New sessions of this database log with PostgreSQL's default verbosity: its DETAIL lines.
    await admin.query(`alter database pglog set log_error_verbosity = 'default'`);
    const lines: Array<{ msg: string; settings?: string[] }> = [];
    const logger = createLogger({
      level: 'info',
      name: 'test',
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    });
    const clients = await createClients(testConfig({ DATABASE_URL: postgres.url }), logger);
    try {
      const warning = await eventually(
        async () => lines.find((line) => line.msg.startsWith('PostgreSQL logs failing statements')),
        10_000,
        'the start-up warning',
      );
      expect(warning.settings).toEqual(['log_error_verbosity=terse']);
    } finally {
      await clients.close();
      await admin.query(`alter database pglog reset log_error_verbosity`);
      await admin.end();
    }
  });
});
