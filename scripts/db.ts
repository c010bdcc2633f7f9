// Database tasks: `migrate` applies pending migrations; `create [name]` writes a new
// migration from the difference between the entities and the last snapshot. Without
// DATABASE_URL and with nothing on the development port, the development PostgreSQL
// (.data/postgres) is started for the task and stopped after it.
import { loadConfigOrExit } from '../config/index.ts';
import { closeOrm, getOrm, migrate } from '../db/orm.ts';
import { startDevPostgresIfNeeded } from './stack/database.ts';

const config = loadConfigOrExit();
const [command = 'migrate', name] = process.argv.slice(2);
const local = await startDevPostgresIfNeeded(config);
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
