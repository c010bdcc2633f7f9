// Lists split into pages by a time (jobs, stored files, script projects, marketing
// campaigns, incidents, deletion certificates, take-down requests newest first; the
// support queue oldest first): a page ends with a cursor naming its last row, and the
// next page starts after that row. The row's id breaks ties between rows of the same
// millisecond, so no row is skipped or shown twice, even while newer rows arrive. The
// legal team's rights requests have a cursor of their own (contracts/rights-request.ts).
import { z } from 'zod';

/** The row a page ended on: its time in the list's order, and its id. */
export interface PageCursor {
  at: Date;
  id: string;
}

/** A cursor's fields joined by `|`, base64url: opaque to clients. */
export function encodeCursor(fields: readonly string[]): string {
  return Buffer.from(fields.join('|')).toString('base64url');
}

/** A time written by `encodeCursor`, or undefined. */
export function cursorTime(field: string | undefined): Date | undefined {
  const at = new Date(field ?? '');
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** A row id written by `encodeCursor`, or undefined. */
export const cursorId = (field: string | undefined): string | undefined =>
  z.uuid().safeParse(field).success ? field : undefined;

/**
 * Stripe's id of a row a payment or invoice list ended on (`cs_…`, `in_…`), or
 * undefined: those rows are keyed by the id Stripe gave them, not a UUID.
 */
export const stripeCursorId = (field: string | undefined): string | undefined =>
  field !== undefined && /^[A-Za-z0-9_]{1,255}$/.test(field) ? field : undefined;

/**
 * A cursor from a list's `nextCursor`, its fields read back by `read`; anything `read`
 * cannot read is refused as a bad request.
 */
export function cursorSchema<T>(read: (fields: string[]) => T | undefined) {
  return z
    .string()
    .max(200)
    .transform((value, ctx): T => {
      const cursor = read(Buffer.from(value, 'base64url').toString('utf8').split('|'));
      if (cursor === undefined) {
        ctx.addIssue({ code: 'custom', message: 'Not a page cursor from this list.' });
        return z.NEVER;
      }
      return cursor;
    })
    .meta({ description: 'The `nextCursor` of the page before; without it, the first page.' });
}

/** `<at ISO>|<id>`, read back by `pageCursor`. */
export function cursorOf(row: PageCursor): string {
  return encodeCursor([row.at.toISOString(), row.id]);
}

/** A cursor from a list's `nextCursor` (its last row's time, and its id read by `readId`). */
const timeCursor = (readId: (field: string | undefined) => string | undefined) =>
  cursorSchema(([time, id]): PageCursor | undefined => {
    const at = cursorTime(time);
    const rowId = readId(id);
    return at && rowId ? { at, id: rowId } : undefined;
  });

/** A cursor from a list's `nextCursor`, its rows keyed by UUID. */
export const pageCursor = timeCursor(cursorId);

/** A cursor from a list's `nextCursor`, its rows keyed by Stripe's id (payments, invoices). */
export const stripePageCursor = timeCursor(stripeCursorId);

/**
 * A paged list's query fields: how many rows a page holds (`size` unless asked for, at
 * most `max`), and the cursor it starts after (`cursor` reads it).
 */
export const pageQuery = (size: number, max: number, cursor = pageCursor) => ({
  limit: z.coerce.number().int().min(1).max(max).default(size),
  cursor: cursor.optional(),
});

/** A paged list's answer field: the next page's cursor, null on the last page. */
export const nextCursor = z
  .string()
  .nullable()
  .meta({ description: "The next page's cursor; null on the last page." });

/**
 * A page from the rows a query returned, asked for one more than the page holds: the
 * extra row only tells that there is a next page. `timeOf` is the time the list is
 * ordered by (when a row was made, an incident recorded, a certificate issued).
 */
export function pageOf<T extends { id: string }>(
  rows: readonly T[],
  limit: number,
  timeOf: (row: T) => Date,
): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page,
    nextCursor: rows.length > limit && last ? cursorOf({ at: timeOf(last), id: last.id }) : null,
  };
}
