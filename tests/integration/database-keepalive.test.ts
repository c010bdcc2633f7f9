// The platform's connections to PostgreSQL are probed by TCP keepalive once idle
// (domain/database.ts): the ORM's pooled ones and the LISTEN connection of live views.
// Before, neither was: behind a NAT or a load balancer that drops idle flows, a pooled
// connection could hang the next statement for as long as TCP retransmits, and the
// LISTEN connection go deaf without knowing it. Whether a socket is probed is read from
// the kernel itself: /proc/net/tcp names the timer each socket has pending, and an idle
// connection has one only when it is kept alive.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormOptions } from '../../db/orm.ts';
import { createNotifications } from '../../platform/notifications.ts';
import { eventually } from '../support/assets.ts';
import { testConfig } from '../support/platform.ts';

/** The timer a socket has pending, as /proc/net/tcp numbers it. */
const TCP_TIMERS = { none: 0, retransmit: 1, keepalive: 2, timeWait: 3, zeroWindowProbe: 4 } as const;
/** /proc/net/tcp's state of an established connection. */
const ESTABLISHED = '01';

/**
 * The pending timer of this process's established connection from local port `port`
 * to PostgreSQL at `serverPort` (IPv4 or IPv6); null when there is no such connection.
 */
async function pendingTimer(port: number, serverPort: number): Promise<number | null> {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const row of rows) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when ...
      const [, local, remote, state, , timer] = row.trim().split(/\s+/);
      if (
        local?.endsWith(`:${hex(port)}`) &&
        remote?.endsWith(`:${hex(serverPort)}`) &&
        state === ESTABLISHED
      ) {
        return Number.parseInt(timer!.split(':')[0]!, 16);
      }
    }
  }
  return null;
}

/**
 * The timer of that connection once it is idle: a statement's last bytes may still await
 * their acknowledgement (a retransmission timer) for a moment after its answer.
 */
const idleTimer = async (port: number, serverPort: number): Promise<number> =>
  (
    await eventually(
      async () => {
        const timer = await pendingTimer(port, serverPort);
        return timer !== null && timer !== TCP_TIMERS.retransmit ? { timer } : null;
      },
      5_000,
      'the connection idle',
    )
  ).timer;

let url: string;
let serverPort: number;
let watcher: pg.Client;
beforeAll(async () => {
  url = testConfig().database.url;
  serverPort = Number(new URL(url).port || 5432);
  // Another connection, to find the platform's by what PostgreSQL knows of them.
  watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
});
afterAll(async () => {
  await watcher?.end();
});

describe('connections to PostgreSQL', () => {
  it("are probed by TCP keepalive once idle: the ORM's pooled ones", async () => {
    const orm = await MikroORM.init(ormOptions({ url, poolMax: 2 }));
    try {
      const [row] = await orm.em
        .getConnection()
        .execute<Array<{ port: number }>>('select inet_client_port() as port');
      // Back in the pool, idle.
      expect(await idleTimer(row!.port, serverPort)).toBe(TCP_TIMERS.keepalive);
    } finally {
      await orm.close(true);
    }
  });

  it('are probed by TCP keepalive once idle: the LISTEN connection of live views', async () => {
    const notifications = createNotifications(url, { warn: () => {}, info: () => {} } as never);
    try {
      const channel = `keepalive_${randomUUID().replaceAll('-', '')}`;
      await notifications.subscribe(channel, 'row-1', () => {});
      const port = await eventually(
        async () => {
          const { rows } = await watcher.query<{ client_port: number }>(
            `select client_port from pg_stat_activity where state = 'idle' and query = $1`,
            [`listen ${pg.escapeIdentifier(channel)}`],
          );
          return rows[0]?.client_port ?? null;
        },
        5_000,
        'the LISTEN connection',
      );
      expect(await idleTimer(port, serverPort)).toBe(TCP_TIMERS.keepalive);
    } finally {
      await notifications.close();
    }
  });
});
