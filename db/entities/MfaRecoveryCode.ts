import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { User } from './User.ts';

/** One-time codes for a staff member who lost their authenticator; hashes only. */
export const MfaRecoveryCode = defineEntity({
  name: 'MfaRecoveryCode',
  tableName: 'mfa_recovery_codes',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().deleteRule('cascade').index(),
    codeHash: p.string().length(64).unique().hidden(),
    createdAt: createdNow(),
    usedAt: p.datetime().nullable(),
  },
});
export type MfaRecoveryCode = InferEntity<typeof MfaRecoveryCode>;
