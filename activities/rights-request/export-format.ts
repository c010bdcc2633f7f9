// How a data export writes each category (D-ACCESS, D-PORT): rows read page by page
// (keyset paging, so memory stays flat whatever the size), written as they arrive as one
// JSON array and as CSV that a spreadsheet opens without running anything.
import type { EntityManager } from '@mikro-orm/postgresql';
import { EXPORT_CHUNK_CHARS, EXPORT_PAGE_ROWS } from '../../domain/rights-request.ts';
import type { ExportCategory } from './categories.ts';

export type Row = Record<string, unknown>;

const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}$/;

/** Rows of one category for one person, page by page (keyset paging, never OFFSET). */
export async function* categoryRows(
  em: EntityManager,
  category: ExportCategory,
  userId: string,
  pageRows = EXPORT_PAGE_ROWS,
): AsyncGenerator<Row> {
  let after = category.keyStart;
  const placeholders = (category.where.match(/\?/g) ?? []).length;
  for (;;) {
    const rows = await em.execute<(Row & { __key: string })[]>(
      `select ${category.columns.join(', ')}, ${category.key}::text as "__key"
         from ${category.table}
        where (${category.where}) and ${category.key} > ?
        order by ${category.key} limit ?`,
      [...Array.from({ length: placeholders }, () => userId), after, pageRows],
    );
    for (const row of rows) {
      const { __key, ...rest } = row;
      after = __key;
      for (const [k, v] of Object.entries(rest)) {
        // Raw rows carry timestamps as PostgreSQL text; the export speaks ISO 8601 (UTC).
        if (typeof v === 'string' && PG_TIMESTAMP.test(v))
          rest[k] = new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
      }
      yield rest;
    }
    if (rows.length < pageRows) return;
  }
}

const plain = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

/** The rows as one JSON array, written as the rows arrive. */
export async function* jsonChunks(rows: AsyncIterable<Row>, onRow?: () => void): AsyncGenerator<string> {
  yield '[';
  let first = true;
  for await (const row of rows) {
    onRow?.();
    yield `${first ? '\n' : ',\n'}  ${JSON.stringify(row, (_k, v: unknown) => plain(v))}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

/**
 * One CSV cell (RFC 4180): quoted when needed; objects as JSON. A text cell that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe (OWASP's CSV injection advice): a prompt is data, never a formula.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else if (typeof value === 'string') text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function columnNames(category: ExportCategory): string[] {
  return category.columns.map((c) => /as "([^"]+)"$/.exec(c)![1]!);
}

export async function* csvChunks(columns: string[], rows: AsyncIterable<Row>): AsyncGenerator<string> {
  yield `${columns.map(csvCell).join(',')}\r\n`;
  for await (const row of rows) yield `${columns.map((c) => csvCell(row[c])).join(',')}\r\n`;
}

/** The same text in pieces of at least `chars` characters (the last one may be shorter). */
export async function* batched(
  chunks: AsyncIterable<string>,
  chars = EXPORT_CHUNK_CHARS,
): AsyncGenerator<string> {
  let pending: string[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= chars) {
      yield pending.join('');
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield pending.join('');
}
