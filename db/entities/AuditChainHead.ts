import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * Each audit chain's newest event (S-AUDIT), kept by a trigger on every append
 * (AuditEvent.ts) in the append's own transaction. A chain's hashes show an edited or
 * removed event only while a later one links to it; the head shows the newest ones too:
 * `verifyAuditChain` must meet it. It only moves forward, and never goes.
 */
export const AuditChainHead = defineEntity({
  name: 'AuditChainHead',
  tableName: 'audit_chain_heads',
  properties: {
    chain: p.smallint().primary().autoincrement(false),
    lastId: p.bigint('number'),
    lastHash: p.string().length(64),
  },
  triggers: [
    {
      name: 'audit_chain_heads_forward_only',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      body: "if tg_op = 'UPDATE' and new.chain = old.chain and new.last_id > old.last_id then return new; end if; raise exception 'audit_chain_heads only move forward';",
    },
  ],
});
export type AuditChainHead = InferEntity<typeof AuditChainHead>;
