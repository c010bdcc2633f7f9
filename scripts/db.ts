// Database tasks: `migrate` applies pending migrations; `create [name]` writes a new
// migration from the difference between the entities and the last snapshot. Without
// DATABASE_URL and with nothing on the development port, the development PostgreSQL
// (.data/postgres) is started for the task and stopped after it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit } from '../config/index.ts';
import { closeOrm, getOrm, migrate } from '../db/orm.ts';
import { isPortOpen, silentLog } from './stack/process.ts';
import { startPostgres } from './stack/services.ts';

const config = loadConfigOrExit();
const [command = 'migrate', name] = process.argv.slice(2);
const url = new URL(config.database.url);
const local =
  !process.env.DATABASE_URL && !(await isPortOpen(Number(url.port)))
    ? await startPostgres({
        port: Number(url.port),
        dataDir: path.join(fileURLToPath(new URL('..', import.meta.url)), '.data', 'postgres'),
        database: url.pathname.slice(1),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        log: silentLog,
      })
    : undefined;
const orm = await getOrm(config.database);
try {
  if (command === 'migrate') {
    const applied = await migrate(orm);
    console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
  } else if (command === 'create') {
    const pending = await orm.migrator.getPending();
    if (pending.length) throw new Error('apply pending migrations first (npm run db -- migrate)');
    const result = await orm.migrator.create(undefined, false, false, name);
    console.log(result.fileName ? `wrote ${result.fileName}` : 'no schema changes');
  } else {
    throw new Error(`unknown command ${command}; use migrate or create [name]`);
  }
} finally {
  await closeOrm(config.database);
  await local?.stop();
}
