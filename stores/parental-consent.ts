// Deleting an account whose parent never confirmed it (D-MINOR), keeping nothing: every
// row that refers to the account (found from the database's own foreign keys, so a table
// added later is covered too) and the account itself go in one transaction. Such an
// account could not upload, generate or pay, so it holds no stored object and no record
// the law asks to keep; the audit log keeps only that it happened (a keyed pseudonym).
import type { EntityManager } from '@mikro-orm/postgresql';

/** Every (table, column) whose foreign key points at users.id. */
async function referencesToUsers(em: EntityManager): Promise<{ table: string; column: string }[]> {
  return em.execute<{ table: string; column: string }[]>(
    `select cl.relname as "table", att.attname as "column"
       from pg_constraint con
       join pg_class cl on cl.oid = con.conrelid
       join pg_attribute att on att.attrelid = con.conrelid and att.attnum = any(con.conkey)
      where con.contype = 'f' and con.confrelid = 'users'::regclass`,
  );
}

/** Deletes the account and every row referring to it, if it still awaits a parent; false otherwise. */
export async function eraseUnconfirmedAccount(em: EntityManager, userId: string): Promise<boolean> {
  return em.transactional(async (tx) => {
    const [user] = await tx.execute<{ status: string }[]>(
      'select status from users where id = ? for update',
      [userId],
    );
    if (user?.status !== 'awaiting_parental_consent') return false;
    for (const { table, column } of await referencesToUsers(tx)) {
      await tx.execute(`delete from "${table}" where "${column}" = ?`, [userId]);
    }
    // The starting grant's ledger row names the account in its reference too.
    await tx.execute(`delete from credit_ledger where reference = ?`, [`signup:${userId}`]);
    await tx.execute('delete from users where id = ?', [userId]);
    return true;
  });
}
