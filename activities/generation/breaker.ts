// A circuit breaker per provider, kept in PostgreSQL so every worker shares it: this many
// failures in a row open it for a cool-down, and a success closes it again.
import type { MikroORM } from '@mikro-orm/postgresql';
import { ProviderHealth } from '../../db/entities/index.ts';
import { CIRCUIT_BREAKER } from '../../domain/generation.ts';
import type { ProviderName } from '../../domain/models.ts';
import { ProviderError } from '../../providers/types.ts';
import { toFailure } from './failures.ts';

export async function breakerOpen(orm: MikroORM, provider: ProviderName): Promise<boolean> {
  const row = await orm.em.fork().findOne(ProviderHealth, { provider });
  return Boolean(row?.openUntil && row.openUntil.getTime() > Date.now());
}

export async function recordProviderResult(
  orm: MikroORM,
  provider: ProviderName,
  ok: boolean,
): Promise<void> {
  const em = orm.em.fork();
  if (ok) {
    await em.execute(
      `insert into provider_health (provider, consecutive_failures, open_until, last_success_at)
       values (?, 0, null, now())
       on conflict (provider) do update set consecutive_failures = 0, open_until = null, last_success_at = now()`,
      [provider],
    );
    return;
  }
  await em.execute(
    `insert into provider_health (provider, consecutive_failures, last_failure_at) values (?, 1, now())
     on conflict (provider) do update set
       consecutive_failures = provider_health.consecutive_failures + 1,
       last_failure_at = now(),
       open_until = case when provider_health.consecutive_failures + 1 >= ?
                         then now() + (? * interval '1 millisecond') else provider_health.open_until end`,
    [provider, CIRCUIT_BREAKER.failureThreshold, CIRCUIT_BREAKER.coolDownMs],
  );
}

/** The provider faults that count against its breaker (a bad request is ours, not theirs). */
export const isProviderFault = (err: unknown) =>
  err instanceof ProviderError && ['unavailable', 'timeout', 'rate_limited', 'internal'].includes(err.code);

/** Calls a provider, feeding the circuit breaker with what happened. */
export async function viaBreaker<T>(
  orm: MikroORM,
  provider: ProviderName,
  call: () => Promise<T>,
): Promise<T> {
  try {
    const result = await call();
    await recordProviderResult(orm, provider, true);
    return result;
  } catch (err) {
    if (isProviderFault(err)) await recordProviderResult(orm, provider, false);
    throw toFailure(err);
  }
}
