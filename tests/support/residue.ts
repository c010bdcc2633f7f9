// The residue scan: which columns of which tables still hold any of the needles (an
// account id, an email address, a name), matched case-insensitively anywhere in the
// column's text. What a deletion may leave behind is a short, named list; this finds
// everything else.
import type { EntityManager } from '@mikro-orm/postgresql';

export interface Residue {
  table: string;
  column: string;
  needle: string;
  rows: number;
}

export async function rowsMentioning(em: EntityManager, needles: readonly string[]): Promise<Residue[]> {
  const columns = await em.execute<{ table_name: string; column_name: string }[]>(
    `select c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'uuid', 'ARRAY')
      order by 1, 2`,
  );
  const hits: Residue[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    for (const needle of needles) {
      const [row] = await em.execute<{ n: number }[]>(
        `select count(*)::int as n from "${table}" where position(lower(?) in lower("${column}"::text)) > 0`,
        [needle],
      );
      if (row!.n > 0) hits.push({ table, column, needle, rows: row!.n });
    }
  }
  return hits;
}
