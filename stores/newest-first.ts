// The query side of a newest-first page (domain/contracts/page.ts): rows after the cursor,
// in the order its pages are cut, one more than the page holds.
import type { EntityManager, EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/postgresql';
import { pageOf, type PageCursor } from '../domain/contracts/page.ts';

/** The column a list is ordered by: when its rows were made (recorded, issued, filed), or last changed. */
type TimeColumn = 'createdAt' | 'recordedAt' | 'issuedAt' | 'filedAt' | 'updatedAt';

/** Rows older than the cursor's row, or as old with a smaller id. */
function after(cursor: PageCursor | undefined, at: TimeColumn) {
  if (!cursor) return {};
  return {
    $or: [{ [at]: { $lt: cursor.at } }, { [at]: cursor.at, id: { $lt: cursor.id } }],
  };
}

/**
 * One page of `entity`'s rows that match `where`, newest first by `at`, the larger id
 * first among rows of the same millisecond; `nextCursor` names its last row.
 */
export async function newestPage<E extends { id: string }>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  query: { cursor?: PageCursor; limit: number },
  at: TimeColumn & keyof E = 'createdAt' as TimeColumn & keyof E,
): Promise<{ page: E[]; nextCursor: string | null }> {
  // The filter and order name `at` as a computed key, which the ORM's types cannot follow.
  const rows = await em.find(entity, { $and: [where, after(query.cursor, at)] } as FilterQuery<E>, {
    orderBy: { [at]: 'desc', id: 'desc' } as QueryOrderMap<E>,
    limit: query.limit + 1,
  });
  return pageOf(rows as E[], query.limit, (row) => row[at] as Date);
}
