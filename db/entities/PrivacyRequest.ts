import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { JURISDICTIONS, REQUEST_STATUSES, REQUEST_TYPES } from '../../domain/privacy.ts';
import { User } from './User.ts';

export const PrivacyRequest = defineEntity({
  name: 'PrivacyRequest',
  tableName: 'privacy_requests',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    type: p.enum(REQUEST_TYPES),
    jurisdiction: p.enum(JURISDICTIONS),
    status: p.enum(REQUEST_STATUSES).default('awaiting_verification'),
    createdAt: p.datetime().onCreate(() => new Date()),
    verifiedAt: p.datetime().nullable(),
    dueAt: p.datetime().nullable(),
    extendedDueAt: p.datetime().nullable(),
    extensionReason: p.text().nullable(),
    completedAt: p.datetime().nullable(),
    workflowId: p.string().length(255).nullable(),
  },
});
export type PrivacyRequest = InferEntity<typeof PrivacyRequest>;
