// The one place the environment is read. Every value has a development default so a
// fresh clone runs with no setup; in production a value without a safe default must be
// given, and a bad or missing one stops the process with the variable's name.
import { z } from 'zod';
import { planPrices } from './plan-prices.ts';
import { configuredDurations, durationOverrides } from './durations.ts';
import { TASK_QUEUES, type TaskQueue } from '../domain/temporal.ts';
export type { Durations } from './durations.ts';

export type RuntimeEnv = 'development' | 'test' | 'production';

interface Setting<T> {
  schema: z.ZodType<T>;
  /** Used in development and test when the variable is unset. */
  dev?: string;
  /** Used in production when unset; without it the variable is required there. */
  prod?: string;
  /** Secrets are never echoed in error messages. */
  secret?: boolean;
}

const str = (dev?: string, prod?: string): Setting<string> => ({ schema: z.string().min(1), dev, prod });
const secret = (dev: string): Setting<string> => ({ schema: z.string().min(16), dev, secret: true });
const port = (dev: string, prod = dev): Setting<number> => ({
  schema: z.coerce.number().int().min(0).max(65535),
  dev,
  prod,
});
const url = (dev?: string, prod?: string): Setting<string> => ({ schema: z.url(), dev, prod });
const bool = (dev: string, prod = dev): Setting<boolean> => ({
  schema: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  dev,
  prod,
});
const oneOf = <const T extends string>(values: readonly [T, ...T[]], dev: T, prod: T = dev): Setting<T> => ({
  schema: z.enum(values),
  dev,
  prod,
});
const positiveInt = (dev: string, prod = dev): Setting<number> => ({
  schema: z.coerce.number().int().positive(),
  dev,
  prod,
});
const optional = (): Setting<string | undefined> => ({ schema: z.string().min(1).optional() });

const QUEUE_NAMES = Object.values(TASK_QUEUES);
/** `generation,retention`: the task queues one worker process polls, each named once. */
const taskQueues = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    const names = value.split(',').map((s) => s.trim());
    for (const name of names) {
      if (!(QUEUE_NAMES as string[]).includes(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${name}" is not a task queue (${QUEUE_NAMES.join(', ')})`,
        });
        return z.NEVER;
      }
    }
    return [...new Set(names)] as TaskQueue[];
  });
/** `host:port` a metrics endpoint listens on. */
const bindAddress = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port');

const settings = {
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),

  API_HOST: str('127.0.0.1', '0.0.0.0'),
  /**
   * Which proxies' X-Forwarded-For to believe (Express "trust proxy": loopback, a subnet
   * such as 172.16.0.0/12, or a hop count), so rate limits and session logs see the
   * browser's address and not the site server's.
   */
  TRUST_PROXY: str('loopback', 'loopback'),
  API_PORT: port('3000'),
  /** Largest JSON body the API accepts; bigger ones get 413. */
  API_BODY_LIMIT: str('100kb', '100kb'),
  /** Where the site is served; the only origin CORS and CSRF checks accept. */
  PUBLIC_WEB_URL: url('http://localhost:5173'),
  /** Where browsers and emailed links reach the API (through the site's proxy by default). */
  PUBLIC_API_URL: url('http://localhost:5173'),
  WEB_PORT: port('5173', '3001'),
  /** Address the site's server uses to reach the API. */
  API_INTERNAL_URL: url('http://127.0.0.1:3000'),

  DATABASE_URL: url('postgres://postgres:postgres@127.0.0.1:5433/clipwise'),
  DATABASE_POOL_MAX: positiveInt('10'),

  TEMPORAL_ADDRESS: str('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: str('default', 'default'),
  TEMPORAL_UI_URL: url('http://localhost:8233'),
  /** Upper bound for one Temporal connection attempt, so readiness never hangs. */
  TEMPORAL_CONNECT_TIMEOUT_MS: positiveInt('3000'),
  /** Production workers load this prebuilt bundle; development bundles from source. */
  WORKFLOW_BUNDLE_PATH: optional(),
  /** The task queues this worker process polls, comma-separated; unset means all of them. */
  WORKER_QUEUES: { schema: taskQueues.optional() },
  /**
   * Where this worker serves the Temporal SDK's Prometheus metrics (`host:port`, path
   * `/metrics`); unset means no endpoint. Each worker process on a host needs its own port.
   */
  WORKER_METRICS_ADDRESS: { schema: bindAddress.optional() },
  /**
   * Bearer token that lets a scraper read the API's `/metrics` from another host; without
   * it only a direct loopback connection may.
   */
  METRICS_TOKEN: { schema: z.string().min(16).optional(), secret: true },

  /** Unset in production means AWS S3 itself; set it for R2, MinIO or another S3 service. */
  S3_ENDPOINT: { schema: z.url().optional(), dev: 'http://127.0.0.1:9000' },
  /**
   * Where browsers and providers reach the store, when that differs from S3_ENDPOINT (an
   * internal address): download and input links are signed for this one.
   */
  S3_PUBLIC_ENDPOINT: { schema: z.url().optional() },
  S3_REGION: str('us-east-1', 'us-east-1'),
  S3_BUCKET: str('clipwise', 'clipwise'),
  S3_ACCESS_KEY_ID: { ...str('clipwise-dev'), secret: true },
  S3_SECRET_ACCESS_KEY: { ...str('clipwise-dev-secret'), secret: true },
  S3_FORCE_PATH_STYLE: bool('true', 'false'),
  /** Server-side encryption asked of the store for every object (R-CRYPTO). */
  S3_SSE: oneOf(['AES256', 'aws:kms'], 'AES256'),

  STRIPE_SECRET_KEY: secret('sk_test_ClipwiseDevelopmentKey0001'),
  /** stripe-mock in development and tests; unset in production means api.stripe.com. */
  STRIPE_API_URL: { schema: z.url().optional(), dev: 'http://127.0.0.1:12111' },
  STRIPE_WEBHOOK_SECRET: secret('whsec_clipwise_development_secret'),
  /**
   * The Stripe price of each subscription plan (`basic=price_…,pro=price_…`); a plan
   * without one is not offered. Development and tests use stripe-mock with made-up ids.
   */
  STRIPE_PLAN_PRICES: {
    schema: planPrices.optional(),
    dev: 'basic=price_clipwise_basic_monthly,pro=price_clipwise_pro_monthly',
  },

  SMTP_URL: url('smtp://127.0.0.1:1025'),
  MAIL_FROM: str('Clipwise <no-reply@clipwise.local>'),

  /** Keys cookies, CSRF tokens and signed links. */
  SESSION_SECRET: secret('development-session-secret-not-for-production'),

  /** Sign in with Google (OpenID Connect); unset client id means the option is not offered. */
  GOOGLE_CLIENT_ID: optional(),
  GOOGLE_CLIENT_SECRET: { ...optional(), secret: true },
  GOOGLE_ISSUER: url('https://accounts.google.com', 'https://accounts.google.com'),

  // Video providers. A provider without its key is not offered; `local` needs none.
  RUNWAY_API_KEY: { ...optional(), secret: true },
  RUNWAY_BASE_URL: url('https://api.dev.runwayml.com', 'https://api.dev.runwayml.com'),
  LUMA_API_KEY: { ...optional(), secret: true },
  LUMA_BASE_URL: url('https://api.lumalabs.ai', 'https://api.lumalabs.ai'),
  /** Pika runs through fal's queue API. */
  FAL_KEY: { ...optional(), secret: true },
  FAL_QUEUE_URL: url('https://queue.fal.run', 'https://queue.fal.run'),
  /** fal's published webhook signing keys (a JWKS); tests point it at the provider simulator. */
  FAL_WEBHOOK_JWKS_URL: url(
    'https://rest.alpha.fal.ai/.well-known/jwks.json',
    'https://rest.alpha.fal.ai/.well-known/jwks.json',
  ),
  /** Volcano Engine Ark (Seedance). */
  ARK_API_KEY: { ...optional(), secret: true },
  ARK_BASE_URL: url('https://ark.cn-beijing.volces.com', 'https://ark.cn-beijing.volces.com'),
  /** Veo 3 through Evolink. */
  EVOLINK_API_KEY: { ...optional(), secret: true },
  EVOLINK_BASE_URL: url('https://api.evolink.ai', 'https://api.evolink.ai'),
  /** ffmpeg for the local renderer; defaults to the binary shipped by @ffmpeg-installer/ffmpeg. */
  FFMPEG_PATH: optional(),
  /** espeak-ng, for a script project's speech when no voice recording is given (Debian's package). */
  ESPEAK_PATH: str('espeak-ng', 'espeak-ng'),
  /**
   * A language model that splits scripts into scenes, through any OpenAI-compatible
   * chat-completions API with structured output; offered only when its key is set.
   */
  LLM_API_KEY: { ...optional(), secret: true },
  LLM_BASE_URL: url('https://api.openai.com/v1', 'https://api.openai.com/v1'),
  LLM_MODEL: str('gpt-4o-mini', 'gpt-4o-mini'),
  /**
   * Shorter retention durations for a test stack, `name=milliseconds` pairs separated by
   * commas (names: the policy table's subjects, `unverifiedRequest`, `parentalConsent`,
   * `takedownAnswer`, `mailDelivery`, `outputStoreWait`, `renderStoreWait` and
   * `mediaStoreWait`). Refused in production, where the policy table's values always apply.
   */
  DURATION_OVERRIDES: { schema: durationOverrides.optional() },
} satisfies Record<string, Setting<unknown>>;

type Settings = typeof settings;
export type Env = { [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function runtimeEnv(source: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  const value = source.NODE_ENV ?? 'development';
  if (value === 'development' || value === 'test' || value === 'production') return value;
  throw new ConfigError(`NODE_ENV: must be development, test or production (got "${value}")`);
}

/** Reads and checks every setting at once, so one start-up lists every problem. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env & { NODE_ENV: RuntimeEnv } {
  const env = runtimeEnv(source);
  const problems: string[] = [];
  const out: Record<string, unknown> = { NODE_ENV: env };
  for (const [name, setting] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const given = source[name];
    const raw =
      given !== undefined && given !== '' ? given : env === 'production' ? setting.prod : setting.dev;
    if (raw === undefined) {
      if (setting.schema.safeParse(undefined).success) {
        out[name] = undefined;
        continue;
      }
      problems.push(`${name}: required in ${env} but not set`);
      continue;
    }
    const parsed = setting.schema.safeParse(raw);
    if (!parsed.success) {
      const shown = setting.secret ? '' : ` (got "${raw}")`;
      problems.push(`${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}${shown}`);
      continue;
    }
    if (env === 'production' && setting.secret && given !== undefined && given === setting.dev) {
      problems.push(`${name}: the development default must not be used in production`);
      continue;
    }
    out[name] = parsed.data;
  }
  if (env === 'production') problems.push(...plainHttpProblems(out));
  if (env === 'production' && out.DURATION_OVERRIDES !== undefined) {
    problems.push('DURATION_OVERRIDES: must not be set in production (the policy table applies unchanged)');
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return out as Env & { NODE_ENV: RuntimeEnv };
}

/** Addresses people and providers reach the platform at: TLS in production (R-CRYPTO). */
const PUBLIC_ADDRESSES = ['PUBLIC_WEB_URL', 'PUBLIC_API_URL', 'S3_PUBLIC_ENDPOINT'] as const;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Data in transit is encrypted in production: a public address must be https, except on
 * loopback (a production build tried on one's own machine, reachable by nobody else).
 */
function plainHttpProblems(out: Record<string, unknown>): string[] {
  return PUBLIC_ADDRESSES.flatMap((name) => {
    const value = out[name];
    if (typeof value !== 'string') return [];
    const url = new URL(value);
    return url.protocol === 'http:' && !LOOPBACK.has(url.hostname)
      ? [`${name}: must be https:// in production (data in transit uses TLS); got ${url.origin}`]
      : [];
  });
}

export type Config = ReturnType<typeof buildConfig>;

function buildConfig(env: Env & { NODE_ENV: RuntimeEnv }) {
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    api: {
      host: env.API_HOST,
      port: env.API_PORT,
      bodyLimit: env.API_BODY_LIMIT,
      trustProxy: env.TRUST_PROXY,
      publicUrl: env.PUBLIC_API_URL,
      internalUrl: env.API_INTERNAL_URL,
    },
    web: { publicUrl: env.PUBLIC_WEB_URL, port: env.WEB_PORT },
    database: { url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX },
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      uiUrl: env.TEMPORAL_UI_URL,
      connectTimeoutMs: env.TEMPORAL_CONNECT_TIMEOUT_MS,
      workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    },
    worker: {
      queues: env.WORKER_QUEUES ?? QUEUE_NAMES,
      metricsAddress: env.WORKER_METRICS_ADDRESS,
    },
    metrics: { token: env.METRICS_TOKEN },
    s3: {
      endpoint: env.S3_ENDPOINT,
      publicEndpoint: env.S3_PUBLIC_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      serverSideEncryption: env.S3_SSE,
    },
    stripe: {
      secretKey: env.STRIPE_SECRET_KEY,
      apiUrl: env.STRIPE_API_URL,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET,
      planPrices: env.STRIPE_PLAN_PRICES ?? {},
    },
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    sessionSecret: env.SESSION_SECRET,
    google: env.GOOGLE_CLIENT_ID
      ? { clientId: env.GOOGLE_CLIENT_ID, clientSecret: env.GOOGLE_CLIENT_SECRET, issuer: env.GOOGLE_ISSUER }
      : undefined,
    providers: {
      runway: { apiKey: env.RUNWAY_API_KEY, baseUrl: env.RUNWAY_BASE_URL },
      luma: { apiKey: env.LUMA_API_KEY, baseUrl: env.LUMA_BASE_URL },
      pika: { apiKey: env.FAL_KEY, baseUrl: env.FAL_QUEUE_URL, webhookJwksUrl: env.FAL_WEBHOOK_JWKS_URL },
      seedance: { apiKey: env.ARK_API_KEY, baseUrl: env.ARK_BASE_URL },
      veo: { apiKey: env.EVOLINK_API_KEY, baseUrl: env.EVOLINK_BASE_URL },
    },
    ffmpegPath: env.FFMPEG_PATH,
    espeakPath: env.ESPEAK_PATH,
    llm: env.LLM_API_KEY
      ? { apiKey: env.LLM_API_KEY, baseUrl: env.LLM_BASE_URL, model: env.LLM_MODEL }
      : undefined,
    durations: configuredDurations(env.DURATION_OVERRIDES ?? {}),
  };
}

/** Builds the configuration from an environment (defaults to this process's). */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  return buildConfig(readEnv(source));
}

/** Names, defaults and secrecy of every setting, for the README table and its test. */
export function describeSettings(): {
  name: string;
  dev?: string;
  prod?: string;
  secret: boolean;
  /** True when the setting may stay unset everywhere. */
  optional: boolean;
}[] {
  return Object.entries(settings).map(([name, s]) => {
    const setting = s as Setting<unknown>;
    return {
      name,
      dev: setting.dev,
      prod: setting.prod,
      secret: setting.secret ?? false,
      optional: setting.schema.safeParse(undefined).success,
    };
  });
}

/** Loads the configuration or exits with the problems named, for process entry points. */
export function loadConfigOrExit(source: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
