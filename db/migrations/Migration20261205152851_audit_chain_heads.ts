import { Migration } from '@mikro-orm/migrations';

// Each audit chain's head (db/entities/AuditChainHead.ts): its newest event's id and hash,
// kept by a trigger on every append, so the removal of a chain's newest events shows too
// (a hash links an event only to the one before it). The head trigger is created before
// the heads are filled from the events: it locks the table against appends until this
// migration commits, so no event is appended between the fill and the trigger. An append
// then takes its chain's last hash from the head (db/routines.ts).
export class Migration20261205152851_audit_chain_heads extends Migration {
  override name = 'Migration20261205152851_audit_chain_heads';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "audit_chain_heads" ("chain" smallint not null, "last_id" bigint not null, "last_hash" varchar(64) not null, primary key ("chain"));`,
    );

    this.addSql(
      `create or replace function "audit_events_audit_events_head_fn"() returns trigger as $$ begin insert into audit_chain_heads (chain, last_id, last_hash) values (new.chain, new.id, new.hash) on conflict (chain) do update set last_id = excluded.last_id, last_hash = excluded.last_hash; return null; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "audit_events_head" AFTER INSERT on "audit_events" for each ROW execute function "audit_events_audit_events_head_fn"();`,
    );
    this.addSql(
      `insert into audit_chain_heads (chain, last_id, last_hash)
       select distinct on (chain) chain, id, hash from audit_events order by chain, id desc;`,
    );

    this.addSql(
      `create or replace function "audit_chain_heads_audit_chain_heads_forward_only_fn"() returns trigger as $$ begin if tg_op = 'UPDATE' and new.chain = old.chain and new.last_id > old.last_id then return new; end if; raise exception 'audit_chain_heads only move forward'; end; $$ language plpgsql;`,
    );
    this.addSql(
      `create trigger "audit_chain_heads_forward_only" BEFORE UPDATE OR DELETE on "audit_chain_heads" for each ROW execute function "audit_chain_heads_audit_chain_heads_forward_only_fn"();`,
    );

    this.addSql(
      takeChain('select h.last_hash into last_hash from audit_chain_heads h where h.chain = taken;'),
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      takeChain(
        'select e.hash into last_hash from audit_events e where e.chain = taken order by e.id desc limit 1;',
      ),
    );

    this.addSql(`drop trigger if exists "audit_chain_heads_forward_only" on "audit_chain_heads";`);
    this.addSql(`drop function if exists "audit_chain_heads_audit_chain_heads_forward_only_fn"();`);
    this.addSql(`drop trigger if exists "audit_events_head" on "audit_events";`);
    this.addSql(`drop function if exists "audit_events_audit_events_head_fn"();`);
    this.addSql(`drop table if exists "audit_chain_heads" cascade;`);
  }
}

/** `audit_take_chain` as the migration of 2026-12-03 wrote it, reading the last hash as given. */
function takeChain(readLastHash: string): string {
  return `create or replace function "audit_take_chain"("lock_key" bigint, "chains" integer) returns jsonb volatile language plpgsql as $$ declare
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
  ${readLastHash}
  return jsonb_build_object('chain', taken, 'last_hash', last_hash);
end; $$;`;
}
