// Rate limits (S-RATE) through express-rate-limit, with counters in PostgreSQL so every
// API instance shares them. Keys (IP addresses, account ids) are stored only as keyed
// hashes: a counter never holds personal data.
import {
  ipKeyGenerator,
  rateLimit,
  type IncrementResponse,
  type Options,
  type Store,
} from 'express-rate-limit';
import type { RequestHandler } from 'express';
import { RATE_LIMITS } from '../../domain/accounts.ts';
import { keyedHash } from '../../platform/crypto.ts';
import type { Clients } from '../../platform/clients.ts';
import { AppError } from '../errors.ts';

export type RateLimitName = keyof typeof RATE_LIMITS;

/** Fixed windows in table `rate_limit_buckets`; one statement per hit, atomic under concurrency. */
export class PostgresRateLimitStore implements Store {
  private windowMs = 60_000;
  readonly prefix: string;
  private readonly deps: Clients;
  constructor(deps: Clients, prefix: string) {
    this.deps = deps;
    this.prefix = prefix;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  private hashed(key: string): string {
    return keyedHash(this.deps.config.sessionSecret, `rate:${this.prefix}`, key);
  }

  async increment(key: string): Promise<IncrementResponse> {
    const [row] = await this.deps.orm.em.fork().execute<{ hits: number; reset_at: string | Date }[]>(
      `insert into rate_limit_buckets (key, hits, reset_at) values (?, 1, now() + (? * interval '1 millisecond'))
       on conflict (key) do update set
         hits = case when rate_limit_buckets.reset_at <= now() then 1 else rate_limit_buckets.hits + 1 end,
         reset_at = case when rate_limit_buckets.reset_at <= now() then excluded.reset_at else rate_limit_buckets.reset_at end
       returning hits, reset_at`,
      [this.hashed(key), this.windowMs],
    );
    return { totalHits: Number(row!.hits), resetTime: new Date(row!.reset_at) };
  }

  async decrement(key: string): Promise<void> {
    await this.deps.orm.em
      .fork()
      .execute('update rate_limit_buckets set hits = greatest(hits - 1, 0) where key = ?', [
        this.hashed(key),
      ]);
  }

  async resetKey(key: string): Promise<void> {
    await this.deps.orm.em.fork().execute('delete from rate_limit_buckets where key = ?', [this.hashed(key)]);
  }
}

/** One limiter per named rule, keyed by the signed-in account or else the client's address. */
export function createRateLimiters(deps: Clients): Record<RateLimitName, RequestHandler> {
  const entries = Object.entries(RATE_LIMITS).map(([name, rule]) => {
    const limiter = rateLimit({
      windowMs: rule.windowMs,
      limit: rule.limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      store: new PostgresRateLimitStore(deps, name),
      // IPv6 clients are grouped by /56 network, so one host cannot rotate addresses around the limit.
      keyGenerator: (req) =>
        req.auth ? `user:${req.auth.user.id}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
      handler: (_req, res, next) => {
        const retryAfter = res.getHeader('Retry-After');
        next(
          new AppError(429, 'rate_limited', 'Too many attempts. Please wait a moment and try again.', {
            headers: retryAfter ? { 'Retry-After': String(retryAfter) } : {},
          }),
        );
      },
      // The limit must hold even when the counter store fails: refuse rather than let through.
      passOnStoreError: false,
      validate: { trustProxy: false, xForwardedForHeader: false },
    });
    return [name, limiter] as const;
  });
  return Object.fromEntries(entries) as unknown as Record<RateLimitName, RequestHandler>;
}
