// Partial updates of live state: each caller names its columns, and a value left
// undefined keeps what its column holds (null clears it). And statements that carry
// another's write with them, as a common table expression, to save a round trip.

/** A data-modifying `name as (...)` for a statement's WITH, and its values in order. */
export interface CarriedWrite {
  sql: string;
  values: readonly unknown[];
}

/** `sql` with `carried` ahead of it (PostgreSQL runs a WITH's writes whether or not they are read). */
export function withCarried(sql: string, values: readonly unknown[], carried?: CarriedWrite) {
  if (!carried) return { sql, values: [...values] };
  const rest = sql.trimStart();
  // A statement with its own WITH (any case, any spacing, RECURSIVE or not) takes the
  // carried write as its first entry: a second WITH keyword would be a syntax error.
  const own = /^with(\s+recursive)?\s+/i.exec(rest);
  const head = own ? `with${own[1] ? ' recursive' : ''}` : 'with';
  const tail = own ? `, ${rest.slice(own[0].length)}` : ` ${rest}`;
  return { sql: `${head} ${carried.sql}${tail}`, values: [...carried.values, ...values] };
}

/** Adds `column = ?` and its value for each column given a value. */
export function setGivenColumns(
  sets: string[],
  values: unknown[],
  columns: readonly (readonly [column: string, value: unknown])[],
): void {
  for (const [column, value] of columns) {
    if (value === undefined) continue;
    sets.push(`${column} = ?`);
    values.push(value);
  }
}
