import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { TOKEN_PURPOSES } from '../../domain/accounts.ts';
import { User } from './User.ts';

/** A single-use emailed token (verification, password reset, parental consent); only its hash is kept. */
export const AccountToken = defineEntity({
  name: 'AccountToken',
  tableName: 'account_tokens',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().deleteRule('cascade').index(),
    purpose: p.enum(TOKEN_PURPOSES),
    tokenHash: p.string().length(64).unique().hidden(),
    /** The address the token was sent to (a parent's, for consent). */
    sentTo: p.string().length(320),
    createdAt: createdNow(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type AccountToken = InferEntity<typeof AccountToken>;
