// A circuit breaker per provider, kept in PostgreSQL so every worker shares it: this many
// failures in a row open it for a cool-down, and a success closes it again (its
// `last_success_at` is when a success last did so).
import type { MikroORM } from '@mikro-orm/postgresql';
import { CIRCUIT_BREAKER } from '../../domain/generation.ts';
import type { ProviderName } from '../../domain/models.ts';
import { settleAll } from '../../platform/settle.ts';
import { ProviderError } from '../../providers/types.ts';
import { toFailure } from './failures.ts';

export async function breakerOpen(orm: MikroORM, provider: ProviderName): Promise<boolean> {
  // The database's clock, which also set `open_until`.
  const [row] = await orm.em
    .fork()
    .execute<{ open: boolean }[]>(
      'select open_until > now() as open from provider_health where provider = ?',
      [provider],
    );
  return row?.open === true;
}

export async function recordProviderResult(
  orm: MikroORM,
  provider: ProviderName,
  ok: boolean,
): Promise<void> {
  const em = orm.em.fork();
  if (ok) {
    // Only a success that closes the breaker or ends a run of failures writes: a healthy
    // provider's row (or none, which is healthy too) is left alone, so the submits and
    // polls of every job do not all queue for the lock of one row.
    await em.execute(
      `update provider_health set consecutive_failures = 0, open_until = null, last_success_at = now()
        where provider = ? and (consecutive_failures > 0 or open_until is not null)`,
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

/**
 * Calls a provider, feeding the circuit breaker with what happened. On success, `then`
 * (what the caller writes of the answer) runs beside the breaker's statement, not after it.
 */
export async function viaBreaker<T>(
  orm: MikroORM,
  provider: ProviderName,
  call: () => Promise<T>,
  then?: (result: T) => Promise<unknown>,
): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (err) {
    if (isProviderFault(err)) await recordProviderResult(orm, provider, false);
    throw toFailure(err);
  }
  await settleAll([recordProviderResult(orm, provider, true), then?.(result)]);
  return result;
}
