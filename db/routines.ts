// The database functions the schema holds besides the entities' triggers, declared to the
// ORM so its schema diff knows them (db/orm.ts); their SQL is created by a migration.
import { Routine } from '@mikro-orm/core';

/**
 * An audit append's chain and that chain's newest hash, from its head (platform/audit.ts):
 * the first chain whose advisory lock is free or, all being busy, a random one waited
 * for. A function, because its own query takes a fresh snapshot once the lock is held
 * (PL/pgSQL, volatile, READ COMMITTED): a plain statement's snapshot predates its lock,
 * and could miss the head the writer that held it moved, forking the chain.
 */
export const auditTakeChain = new Routine({
  name: 'audit_take_chain',
  type: 'function',
  language: 'plpgsql',
  deterministic: false,
  params: { lock_key: { type: 'bigint' }, chains: { type: 'integer' } },
  returns: { runtimeType: 'object', columnType: 'jsonb' },
  body: `declare
  taken int;
  last_hash text;
begin
  for c in 0 .. chains - 1 loop
    if pg_try_advisory_xact_lock(lock_key + c) then
      taken := c;
      exit;
    end if;
  end loop;
  if taken is null then
    taken := floor(random() * chains)::int;
    perform pg_advisory_xact_lock(lock_key + taken);
  end if;
  select h.last_hash into last_hash from audit_chain_heads h where h.chain = taken;
  return jsonb_build_object('chain', taken, 'last_hash', last_hash);
end;`,
});

export const routines = [auditTakeChain];
