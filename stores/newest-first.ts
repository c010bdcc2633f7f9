// The query side of a newest-first page (domain/contracts/page.ts): rows after the cursor,
// in the order its pages are cut.
import type { PageCursor } from '../domain/contracts/page.ts';

/** The column a list is ordered by: when its rows were made (an incident's, when recorded). */
type TimeColumn = 'createdAt' | 'recordedAt';

/** Rows older than the cursor's row, or as old with a smaller id. */
export function after(cursor: PageCursor | undefined, at: TimeColumn = 'createdAt') {
  if (!cursor) return {};
  return {
    $or: [{ [at]: { $lt: cursor.createdAt } }, { [at]: cursor.createdAt, id: { $lt: cursor.id } }],
  };
}

export const NEWEST_FIRST = { createdAt: 'desc', id: 'desc' } as const;
export const NEWEST_RECORDED_FIRST = { recordedAt: 'desc', id: 'desc' } as const;
