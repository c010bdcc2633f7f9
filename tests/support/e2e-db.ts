// The browser tests' direct line to the stack's database: accounts made the quick way
// (verified, with credits, staff with an authenticator seed) so a test can sign in through
// the pages at once, and reads of what the platform stored (analytics rows, ledger).
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../config/index.ts';
import { closeOrm, getOrm, type Orm } from '../../db/orm.ts';
import { AnalyticsEvent } from '../../db/entities/index.ts';
import { createAccount } from './accounts.ts';
import type { TestPlatform } from './platform.ts';

export { TEST_PASSWORD, totp } from './accounts.ts';

export interface E2eDb {
  orm: Orm;
  config: Config;
  /** A verified, active account (staff roles with MFA when asked), as the sign-up page would leave it. */
  account(options?: Parameters<typeof createAccount>[1]): ReturnType<typeof createAccount>;
  /** Analytics rows stored for a user or a visitor's browser. */
  analyticsFor(owner: { userId?: string; visitorId?: string }): Promise<AnalyticsEvent[]>;
  close(): Promise<void>;
}

/** Opens the run's database with the same settings as the platform's processes (same session secret). */
export async function openE2eDb(): Promise<E2eDb> {
  const config = loadConfig({ ...process.env, ...inject('stackEnv') });
  const orm = await getOrm(config.database);
  // createAccount needs only the ORM and the configuration of a platform.
  const platform = { clients: { orm }, config } as unknown as TestPlatform;
  return {
    orm,
    config,
    account: (options = {}) => createAccount(platform, { verified: true, ...options }),
    analyticsFor: ({ userId, visitorId }) =>
      orm.em.fork().find(AnalyticsEvent, userId ? { user: userId } : { visitorId: visitorId ?? '-' }, {
        orderBy: { id: 'asc' },
      }),
    close: () => closeOrm(config.database),
  };
}
