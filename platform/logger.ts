// Structured JSON logs. Secrets, tokens and personal data never reach them: known
// fields are censored wherever they appear, and request logs carry no headers, bodies
// or query strings.
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Field names censored at any depth that pino's redaction reaches. */
export const REDACTED_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'secret',
  'apiKey',
  'authorization',
  'cookie',
  'email',
  'name',
  'dateOfBirth',
  'ip',
  'userAgent',
  'verificationCode',
  'totp',
  'recoveryCode',
  'secretAccessKey',
] as const;

const redactPaths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function createLogger(options: {
  level: string;
  name: string;
  destination?: pino.DestinationStream;
}): Logger {
  const opts: LoggerOptions = {
    level: options.level,
    base: { process: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** The path of a URL without its query string, which may hold tokens. */
export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
