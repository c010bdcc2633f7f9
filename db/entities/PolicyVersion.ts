import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * The privacy policy's versions (D-POLICY). A material change is announced to every
 * user by email; one that needs consent must be accepted before the account is used
 * again (the access layer checks).
 */
export const PolicyVersion = defineEntity({
  name: 'PolicyVersion',
  tableName: 'policy_versions',
  properties: {
    version: p.string().length(32).primary(),
    publishedAt: p.datetime().index(),
    material: p.boolean(),
    requiresConsent: p.boolean(),
    summary: p.text(),
    /** Staff member who published it; null for the first version. */
    publishedBy: p.uuid().nullable(),
  },
});
export type PolicyVersion = InferEntity<typeof PolicyVersion>;
