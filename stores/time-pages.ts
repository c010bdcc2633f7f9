// The query side of a list paged by a time (domain/contracts/page.ts): rows after the
// cursor, in the order its pages are cut, one more than the page holds. Most lists are
// newest first; the support queue shows the tickets waiting longest first.
import type { EntityManager, EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/postgresql';
import { pageOf, type PageCursor } from '../domain/contracts/page.ts';

/**
 * The column a list is ordered by: when its rows were made (recorded, issued, filed,
 * placed), last changed, or last written to.
 */
type TimeColumn =
  'createdAt' | 'recordedAt' | 'issuedAt' | 'filedAt' | 'placedAt' | 'updatedAt' | 'lastMessageAt';

type Order = 'desc' | 'asc';

/**
 * Rows past the cursor's row in the list's order: older (newer), or as old with a smaller
 * (larger) id. The time's bound is said once more outside the `$or`, where an index on
 * the time (after the filter's columns) can start the scan at the cursor: a studio's
 * page 2,000 deep read 25 rows in 0.2 ms where it filtered 50,000 in 16 ms.
 */
function after(cursor: PageCursor | undefined, at: TimeColumn, order: Order) {
  if (!cursor) return {};
  const [past, from] = order === 'desc' ? ['$lt', '$lte'] : ['$gt', '$gte'];
  return {
    [at]: { [from]: cursor.at },
    $or: [{ [at]: { [past]: cursor.at } }, { [at]: cursor.at, id: { [past]: cursor.id } }],
  };
}

async function timePage<E extends { id: string }>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  query: { cursor?: PageCursor; limit: number },
  at: TimeColumn & keyof E,
  order: Order,
): Promise<{ page: E[]; nextCursor: string | null }> {
  // The filter and order name `at` as a computed key, which the ORM's types cannot follow.
  const rows = await em.find(entity, { $and: [where, after(query.cursor, at, order)] } as FilterQuery<E>, {
    orderBy: { [at]: order, id: order } as QueryOrderMap<E>,
    limit: query.limit + 1,
  });
  return pageOf(rows as E[], query.limit, (row) => row[at] as Date);
}

/**
 * One page of `entity`'s rows that match `where`, newest first by `at`, the larger id
 * first among rows of the same millisecond; `nextCursor` names its last row.
 */
export function newestPage<E extends { id: string }>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  query: { cursor?: PageCursor; limit: number },
  at: TimeColumn & keyof E = 'createdAt' as TimeColumn & keyof E,
): Promise<{ page: E[]; nextCursor: string | null }> {
  return timePage(em, entity, where, query, at, 'desc');
}

/** The same, oldest first by `at`, the smaller id first among rows of the same millisecond. */
export function oldestPage<E extends { id: string }>(
  em: EntityManager,
  entity: EntityName<E>,
  where: FilterQuery<E>,
  query: { cursor?: PageCursor; limit: number },
  at: TimeColumn & keyof E,
): Promise<{ page: E[]; nextCursor: string | null }> {
  return timePage(em, entity, where, query, at, 'asc');
}
