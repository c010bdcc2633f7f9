// PostgreSQL's own log, kept free of the values our statements carry. MikroORM sends each
// statement with its values written into the SQL text, and PostgreSQL's defaults log a
// failing statement whole (STATEMENT), with a DETAIL that names the offending key or row:
// a raced Idempotency-Key logged the job's prompt, a raced sign-up would log the email
// address on `users_email_unique`, a refused row its every column. Failures of that kind
// are part of normal operation, so the server is told to log that a statement failed and
// why (the constraint's name), never what it carried.

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
