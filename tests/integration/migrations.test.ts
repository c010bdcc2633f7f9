import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/postgresql';
import { MIGRATIONS_DIR, ormOptions } from '../../db/orm.ts';
import { testConfig } from '../support/platform.ts';

describe('database migrations', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await MikroORM.init(ormOptions(testConfig().database));
  });
  afterAll(async () => {
    await orm?.close(true);
  });

  it('leave nothing pending and the schema exactly as the entities describe it', async () => {
    expect(await orm.migrator.getPending()).toEqual([]);
    // The difference between the migrated database and the entity metadata is empty:
    // every table and column reached the database through a committed migration.
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('keep the snapshot that a new migration is made from as the entities describe the schema', async () => {
    // `migration:create` diffs the entities against this file, not the database: one
    // left behind (it lacked six tables and two columns added since it was written)
    // makes the next migration create them again.
    const snapshot = JSON.parse(await readFile(path.join(MIGRATIONS_DIR, '.snapshot-clipwise.json'), 'utf8'));
    expect(snapshot).toEqual(JSON.parse(JSON.stringify(orm.schema.getTargetSchema())));
  });

  it('create the core tables', async () => {
    const rows = await orm.em
      .getConnection()
      .execute<{ table_name: string }[]>(
        `select table_name from information_schema.tables where table_schema = 'public'`,
      );
    const tables = rows.map((r) => r.table_name);
    for (const table of [
      'users',
      'sessions',
      'assets',
      'generation_jobs',
      'credit_ledger',
      'rights_requests',
      'legal_holds',
      'consents',
      'audit_events',
    ]) {
      expect(tables).toContain(table);
    }
  });
});
