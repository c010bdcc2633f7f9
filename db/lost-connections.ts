// A transaction whose connection is lost gives that connection back to the pool. MikroORM
// runs each transaction on one of Kysely's controlled transactions, which returns its
// connection only once BEGIN, or the ROLLBACK after a failure, has succeeded: on a
// connection the server dropped, neither ever does, so the connection stayed checked out
// for good (kysely-org/kysely#1990, open). Ten such transactions, one database failover
// for a busy process, and every later statement of that process waited on the pool until
// it was restarted. Here the driver gives a connection back itself when BEGIN fails, or
// when ROLLBACK fails twice; the pool then discards it, as it does any client that lost
// its server.
//
// Right after an outage, a pooled connection the outage reset may be handed out before
// the pool has read the reset: the statement fails as it is written, having never reached
// the server. Outside a transaction such a statement is sent once more on another
// connection, and a transaction whose BEGIN met such a connection begins once more on
// another, so the request it serves does not fail (it answered 503 before); a statement
// in a transaction, or one that may have reached the server, is never sent again.
import { PostgreSqlConnection } from '@mikro-orm/postgresql';

type Dialect = ReturnType<PostgreSqlConnection['createKyselyDialect']>;
type Driver = ReturnType<Dialect['createDriver']>;
type Held = Parameters<Driver['releaseConnection']>[0];

// node-postgres's messages for a client already known to have lost its server.
const NOT_QUERYABLE = /^Client (has encountered a connection error|was closed) and is not queryable$/;

/** The statement never reached the server: its connection failed as it was written, or was known lost. */
export function neverSent(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, syscall } = err as { code?: unknown; syscall?: unknown };
  if (syscall === 'write') return code === 'ECONNRESET' || code === 'EPIPE';
  return NOT_QUERYABLE.test(err.message);
}

/** `driver`, giving back the connection of a transaction that could not begin or end. */
export function releasingLostConnections(driver: Driver): Driver {
  const acquire = driver.acquireConnection.bind(driver);
  const release = driver.releaseConnection.bind(driver);
  const begin = driver.beginTransaction.bind(driver);
  const rollback = driver.rollbackTransaction.bind(driver);
  // Each acquisition is released once, whether by Kysely or here.
  const held = new WeakSet<Held>();
  const inTransaction = new WeakSet<Held>();
  const resending = new WeakSet<Held>();
  // A statement never sent, outside a transaction, goes once more on another connection;
  // the lost one is given back first, so a pool of lost connections cannot wait on itself.
  const resendNeverSent = (connection: Held) => {
    resending.add(connection);
    const execute = connection.executeQuery.bind(connection);
    connection.executeQuery = async (query, options) => {
      try {
        return await execute(query, options);
      } catch (err) {
        if (inTransaction.has(connection) || !neverSent(err)) throw err;
        await driver.releaseConnection(connection);
        const other = await acquire(options);
        try {
          return await other.executeQuery(query, options);
        } finally {
          await release(other, options);
        }
      }
    };
  };
  driver.acquireConnection = async (options) => {
    const connection = await acquire(options);
    held.add(connection);
    inTransaction.delete(connection);
    if (!resending.has(connection)) resendNeverSent(connection);
    return connection;
  };
  driver.releaseConnection = async (connection, options) => {
    if (held.delete(connection)) await release(connection, options);
  };
  driver.beginTransaction = async (connection, settings) => {
    inTransaction.add(connection);
    try {
      await begin(connection, settings);
    } catch (err) {
      await driver.releaseConnection(connection);
      throw err;
    }
  };
  driver.rollbackTransaction = async (connection) => {
    try {
      await rollback(connection);
    } catch (err) {
      // A connection still up rolls back the second time (the first may have met a
      // cancelled statement); one that lost its server fails again and is given back.
      const second = await rollback(connection).then(
        () => true,
        () => false,
      );
      if (second) return;
      await driver.releaseConnection(connection);
      throw err;
    }
  };
  return driver;
}

/**
 * MikroORM's PostgreSQL connection, its transactions giving back a lost connection, and
 * beginning again on another when their BEGIN never left.
 */
export class PostgreSqlConnectionReleasingLost extends PostgreSqlConnection {
  // A BEGIN that never reached the server began nothing, and none of the transaction's
  // own statements has run: it begins once more, on another connection (the lost one is
  // already given back). A request's transaction right after an outage answered 503 before.
  override async begin(options: Parameters<PostgreSqlConnection['begin']>[0] = {}) {
    if (options.ctx) return super.begin(options);
    try {
      return await super.begin(options);
    } catch (err) {
      if (!neverSent(err)) throw err;
      return super.begin(options);
    }
  }

  override createKyselyDialect(
    overrides: Parameters<PostgreSqlConnection['createKyselyDialect']>[0],
  ): Dialect {
    const dialect = super.createKyselyDialect(overrides);
    const createDriver = dialect.createDriver.bind(dialect);
    dialect.createDriver = () => releasingLostConnections(createDriver());
    return dialect;
  }
}
