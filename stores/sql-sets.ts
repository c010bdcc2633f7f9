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
  return rest.toLowerCase().startsWith('with ')
    ? { sql: `with ${carried.sql}, ${rest.slice(5)}`, values: [...carried.values, ...values] }
    : { sql: `with ${carried.sql} ${rest}`, values: [...carried.values, ...values] };
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
