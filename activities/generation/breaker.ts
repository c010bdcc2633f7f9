// A circuit breaker per provider, kept in PostgreSQL so every worker shares it: this many
// failures in a row open it for a cool-down, and a success closes it again (its
// `last_success_at` is when a success last did so).
import type { MikroORM } from '@mikro-orm/postgresql';
import { CIRCUIT_BREAKER } from '../../domain/generation.ts';
import type { ProviderName } from '../../domain/models.ts';
import { ProviderError } from '../../providers/types.ts';
import { withCarried, type CarriedWrite } from '../../stores/sql-sets.ts';
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

/**
 * A provider's success, as a write another statement can carry (`withCarried`). Only a
 * success that closes the breaker or ends a run of failures writes: a healthy provider's
 * row (or none, which is healthy too) is left alone, so the submits and polls of every job
 * do not all queue for the lock of one row.
 */
export const providerSucceeded = (provider: ProviderName): CarriedWrite => ({
  sql: `provider_ok as (
          update provider_health set consecutive_failures = 0, open_until = null, last_success_at = now()
           where provider = ? and (consecutive_failures > 0 or open_until is not null))`,
  values: [provider],
});

export async function recordProviderResult(
  orm: MikroORM,
  provider: ProviderName,
  ok: boolean,
): Promise<void> {
  const em = orm.em.fork();
  if (ok) {
    const { sql, values } = withCarried('select 1', [], providerSucceeded(provider));
    await em.execute(sql, values);
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
 * (what the caller writes of the answer) carries the breaker's write in its own statement,
 * which saves each poll a round trip; without one, the write goes alone.
 */
export async function viaBreaker<T>(
  orm: MikroORM,
  provider: ProviderName,
  call: () => Promise<T>,
  then?: (result: T, success: CarriedWrite) => Promise<unknown>,
): Promise<T> {
  let result: T;
  try {
    result = await call();
  } catch (err) {
    if (isProviderFault(err)) await recordProviderResult(orm, provider, false);
    throw toFailure(err);
  }
  if (then) await then(result, providerSucceeded(provider));
  else await recordProviderResult(orm, provider, true);
  return result;
}
