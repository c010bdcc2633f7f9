// The query side of a newest-first page (domain/contracts/page.ts): rows after the cursor,
// in the order its pages are cut.
import type { PageCursor } from '../domain/contracts/page.ts';

/** Rows older than the cursor's row, or as old with a smaller id. */
export function after(cursor: PageCursor | undefined) {
  if (!cursor) return {};
  return {
    $or: [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $lt: cursor.id } }],
  };
}

export const NEWEST_FIRST = { createdAt: 'desc', id: 'desc' } as const;
