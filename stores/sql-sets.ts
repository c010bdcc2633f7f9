// Partial updates of live state: each caller names its columns, and a value left
// undefined keeps what its column holds (null clears it).

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
