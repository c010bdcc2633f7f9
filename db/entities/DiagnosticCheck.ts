import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/** An operator's end-to-end check of the platform's wiring (API -> Temporal -> worker -> stores). */
export const DiagnosticCheck = defineEntity({
  name: 'DiagnosticCheck',
  tableName: 'diagnostic_checks',
  properties: {
    id: p.uuid().primary(),
    status: p.enum(['running', 'passed', 'failed'] as const).default('running'),
    objectKey: p.string().length(512).nullable(),
    objectSha256: p.string().length(64).nullable(),
    detail: p.text().nullable(),
    requestedAt: p.datetime().onCreate(() => new Date()),
    completedAt: p.datetime().nullable(),
  },
});
export type DiagnosticCheck = InferEntity<typeof DiagnosticCheck>;
