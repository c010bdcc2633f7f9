import { Migration } from '@mikro-orm/migrations';

// An audit append takes its chain and that chain's last hash in one call (platform/audit.ts):
// the first chain whose advisory lock is free (or, all being busy, a random one waited
// for), then the chain's newest hash. A function, because its own query takes a fresh
// snapshot after the lock is held (PL/pgSQL in a volatile function, READ COMMITTED): a
// plain statement's snapshot predates its lock, and could miss the event of the writer
// that held it, forking the chain.
export class Migration20261203214500_audit_take_chain extends Migration {
  override name = 'Migration20261203214500_audit_take_chain';

  override up(): void | Promise<void> {
    this.addSql(`create or replace function "audit_take_chain"(lock_key bigint, chains int)
returns table (taken int, last_hash text) language plpgsql volatile as $$
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
  select e.hash into last_hash from audit_events e where e.chain = taken order by e.id desc limit 1;
  return next;
end;
$$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function if exists "audit_take_chain"(bigint, int);`);
  }
}
