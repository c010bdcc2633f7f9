// Whether an error says the database did not answer, rather than that it refused a
// statement: the API then answers 503, and a step of a job waits for the database as it
// waits for the object store, instead of taking the failure for the provider's.
import { DriverException } from '@mikro-orm/core';

// The socket's own failures, as Node reports them on a connection to the server.
const SOCKET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
// The server's SQLSTATEs: class 08 (connection exception), shutting down or starting up, or full.
const SERVER_STATES = /^(08...|57P0[123]|53300)$/;
// node-postgres's own, which carry no code.
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
];

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const { code, syscall, severity } = err as { code?: unknown; syscall?: unknown; severity?: unknown };
  if (typeof code !== 'string') return CLIENT_MESSAGES.some((message) => message.test(err.message));
  // A socket's failure, whether the ORM wrapped it (a statement) or not (the pool's connect).
  if (typeof syscall === 'string') return SOCKET_CODES.has(code);
  // The server's answer: its SQLSTATE, as node-postgres reports it and the ORM keeps it.
  const fromServer = err instanceof DriverException || typeof severity === 'string';
  return fromServer && SERVER_STATES.test(code);
}
