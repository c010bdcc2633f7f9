import { Migration } from '@mikro-orm/migrations';

// An audit append takes its chain and that chain's last hash in one call (db/routines.ts
// declares it to the ORM and says why a function): one statement where the lock, each busy
// chain's try and the hash took one each.
export class Migration20261203214500_audit_take_chain extends Migration {
  override name = 'Migration20261203214500_audit_take_chain';

  override up(): void | Promise<void> {
    this
      .addSql(`create or replace function "audit_take_chain"("lock_key" bigint, "chains" integer) returns jsonb volatile language plpgsql as $$ declare
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
  select e.hash into last_hash from audit_events e where e.chain = taken order by e.id desc limit 1;
  return jsonb_build_object('chain', taken, 'last_hash', last_hash);
end; $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function if exists "audit_take_chain"(bigint, integer);`);
  }
}
