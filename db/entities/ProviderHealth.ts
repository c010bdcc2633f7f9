import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/** The circuit breaker of each provider, shared by every worker. */
export const ProviderHealth = defineEntity({
  name: 'ProviderHealth',
  tableName: 'provider_health',
  properties: {
    provider: p.string().length(32).primary(),
    consecutiveFailures: p.integer().default(0),
    openUntil: p.datetime().nullable(),
    lastFailureAt: p.datetime().nullable(),
    lastSuccessAt: p.datetime().nullable(),
  },
});
export type ProviderHealth = InferEntity<typeof ProviderHealth>;
