import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { JOB_STATUSES } from '../../domain/generation.ts';
import { User } from './User.ts';

export const GenerationJob = defineEntity({
  name: 'GenerationJob',
  tableName: 'generation_jobs',
  uniques: [{ properties: ['user', 'idempotencyKey'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    idempotencyKey: p.string().length(255).nullable(),
    model: p.string().length(64),
    provider: p.string().length(32),
    prompt: p.text(),
    parameters: p.json<Record<string, unknown>>(),
    status: p.enum(JOB_STATUSES).default('moderating'),
    providerTaskId: p.string().length(255).nullable(),
    creditsQuoted: p.integer(),
    creditsCharged: p.integer().nullable(),
    failureCode: p.string().length(64).nullable(),
    failureReason: p.text().nullable(),
    parentJobId: p.uuid().nullable(),
    revisionKind: p.string().length(32).nullable(),
    outputAssetId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
export type GenerationJob = InferEntity<typeof GenerationJob>;
