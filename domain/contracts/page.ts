// Newest-first lists split into pages (jobs, stored files, marketing campaigns, incidents,
// deletion certificates, take-down requests): a page ends with a cursor naming its last
// row, and the next page starts after that row. The row's id breaks ties between rows of
// the same millisecond, so no row is skipped or shown twice, even while newer rows arrive.
import { z } from 'zod';

/** The row a page ended on: its time in the list's order, and its id. */
export interface PageCursor {
  at: Date;
  id: string;
}

/** `<at ISO>|<id>`, base64url: opaque to clients, read back by `pageCursor`. */
export function cursorOf(row: PageCursor): string {
  return Buffer.from(`${row.at.toISOString()}|${row.id}`).toString('base64url');
}

/** A cursor from this list's `nextCursor`; anything else is refused as a bad request. */
export const pageCursor = z
  .string()
  .max(200)
  .transform((value, ctx): PageCursor => {
    const [time, id] = Buffer.from(value, 'base64url').toString('utf8').split('|');
    const at = new Date(time ?? '');
    if (!id || Number.isNaN(at.getTime()) || !z.uuid().safeParse(id).success) {
      ctx.addIssue({ code: 'custom', message: 'Not a page cursor from this list.' });
      return z.NEVER;
    }
    return { at, id };
  })
  .meta({ description: 'The `nextCursor` of the page before; without it, the newest page.' });

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
