// Database tasks: `migrate` applies pending migrations; `create [name]` writes a new
// migration from the difference between the entities and the last snapshot; `backup
// <file>` and `restore <file> [--force]` dump and restore the whole database with
// PostgreSQL's own programs (scripts/stack/backup.ts). Without DATABASE_URL and with
// nothing on the development port, the development PostgreSQL (.data/postgres) is
// started for the task and stopped after it.
import { loadConfigOrExit } from '../config/index.ts';
import { closeOrm, getOrm, migrate } from '../db/orm.ts';
import { backupDatabase, restoreDatabase } from './stack/backup.ts';
import { startDevPostgresIfNeeded } from './stack/database.ts';

const config = loadConfigOrExit();
const [command = 'migrate', name, ...flags] = process.argv.slice(2);
const USAGE = 'use migrate, create [name], backup <file> or restore <file> [--force]';
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const local = await startDevPostgresIfNeeded(config);
try {
  if (command === 'backup' || command === 'restore') {
    if (!name) throw new Error(`${command} needs a file; ${USAGE}`);
    if (command === 'backup') {
      const done = await backupDatabase(config.database.url, name);
      console.log(
        `backed up to ${done.file} (${mib(done.bytes)}) in ${seconds(done.ms)} with ${done.pgDump}`,
      );
    } else {
      const done = await restoreDatabase(config.database.url, name, { force: flags.includes('--force') });
      console.log(
        `restored ${done.database}${done.createdDatabase ? ' (created)' : ''} from ${name} in ${seconds(done.ms)}` +
          `; if this code is newer than the backup, run: npm run db -- migrate`,
      );
    }
  } else {
    const orm = await getOrm(config.database);
    if (command === 'migrate') {
      const applied = await migrate(orm);
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
    } else if (command === 'create') {
      const pending = await orm.migrator.getPending();
      if (pending.length) throw new Error('apply pending migrations first (npm run db -- migrate)');
      const result = await orm.migrator.create(undefined, false, false, name);
      console.log(result.fileName ? `wrote ${result.fileName}` : 'no schema changes');
    } else {
      throw new Error(`unknown command ${command}; ${USAGE}`);
    }
  }
} catch (err) {
  process.stderr.write(`db ${command}: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await closeOrm(config.database);
  await local?.stop();
}
