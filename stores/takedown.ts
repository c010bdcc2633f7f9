// What the API keeps of a take-down request besides its row (S-TAKEDOWN).
import type { EntityManager } from '@mikro-orm/postgresql';

/** Keeps a request whose workflow's start Temporal did not answer, for the unstarted sweep. */
export async function recordUnstartedTakedown(em: EntityManager, takedownId: string, namespace: string) {
  await em.execute(
    `insert into unstarted_takedowns (takedown_id, namespace, failed_at) values (?, ?, now())
     on conflict (takedown_id) do nothing`,
    [takedownId, namespace],
  );
}
