// What the database's errors carry stays in the database. MikroORM sends each statement
// with its values written into the SQL text, and PostgreSQL answers a failure with a
// DETAIL naming the offending key or row. Failures of that kind are part of normal
// operation: a raced Idempotency-Key, a raced sign-up on one email address, a row a
// constraint refuses. So neither the server's log nor the errors the platform handles
// keep more than that a statement failed and on which constraint:
// - the server logs no failing statement and no DETAIL (its settings, below; with
//   PostgreSQL's defaults a raced Idempotency-Key logged the job's prompt);
// - the ORM's errors lose the DETAIL PostgreSQL sent (MikroORM appends it to the message,
//   which then reaches logs and, from an activity, the workflow's Temporal history).
import type { Configuration } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

/** The server settings under which an error is logged without its statement or details. */
export const PRIVATE_ERROR_LOG = {
  // No STATEMENT line for any error (panic is the level above every error a query raises).
  log_min_error_statement: 'panic',
  // No DETAIL, HINT, QUERY or CONTEXT lines: a unique violation's key, a refused row.
  log_error_verbosity: 'terse',
} as const;

type Setting = keyof typeof PRIVATE_ERROR_LOG;

/**
 * The settings a connected server has otherwise, as `name=value` to set: empty when its
 * log keeps what our statements carry to itself. `query` runs one statement on the
 * connection to look at (settings can differ by database, role and session).
 */
export async function errorLogExposure(
  query: (sql: string) => Promise<Array<{ name: string; setting: string }>>,
): Promise<string[]> {
  const names = Object.keys(PRIVATE_ERROR_LOG).map((n) => `'${n}'`);
  const rows = await query(`select name, setting from pg_settings where name in (${names.join(', ')})`);
  const current = new Map(rows.map((r) => [r.name, r.setting]));
  return (Object.entries(PRIVATE_ERROR_LOG) as Array<[Setting, string]>)
    .filter(([name, value]) => current.get(name) !== value)
    .map(([name, value]) => `${name}=${value}`);
}

/**
 * The fields of a PostgreSQL error that may quote data: the DETAIL (a key's value, a
 * refused row), the CONTEXT (a function's statement) and the internal query. The
 * message, the SQLSTATE code and the constraint, table and column names stay.
 */
const FIELDS_WITH_VALUES = ['detail', 'where', 'internalQuery'] as const;

/** MikroORM's PostgreSQL driver, its errors made without the fields that quote data. */
export class PostgreSqlDriverWithoutValues extends PostgreSqlDriver {
  constructor(config: Configuration) {
    super(config);
    // Every error the ORM raises from PostgreSQL passes through its platform's converter.
    const converter = this.getPlatform().getExceptionConverter();
    const convert = converter.convertException.bind(converter);
    converter.convertException = (exception) => {
      for (const field of FIELDS_WITH_VALUES) delete exception[field];
      return convert(exception);
    };
  }
}
