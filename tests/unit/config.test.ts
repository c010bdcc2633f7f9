import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeSettings, loadConfig } from '../../config/index.ts';

const productionEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app:pw@db.internal:5432/clipwise',
  S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  S3_SECRET_ACCESS_KEY: 'production-secret-value',
  STRIPE_SECRET_KEY: 'sk_live_0123456789abcdef',
  STRIPE_WEBHOOK_SECRET: 'whsec_0123456789abcdef',
  SESSION_SECRET: 'a-long-random-production-session-secret',
  SMTP_URL: 'smtps://resend:key@smtp.resend.com:465',
  PUBLIC_WEB_URL: 'https://clipwise.example',
  PUBLIC_API_URL: 'https://clipwise.example',
  TEMPORAL_ADDRESS: 'temporal.internal:7233',
  TEMPORAL_UI_URL: 'https://temporal.clipwise.example',
  API_INTERNAL_URL: 'http://api.internal:3000',
  MAIL_FROM: 'Clipwise <no-reply@clipwise.example>',
};

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('has a default for every value in development', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.database.url).toContain('127.0.0.1:5433');
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.s3.serverSideEncryption).toBe('AES256');
  });

  it('accepts a complete production environment, with AWS S3 when no endpoint is set', () => {
    const config = loadConfig(productionEnv);
    expect(config.env).toBe('production');
    expect(config.s3.endpoint).toBeUndefined();
    expect(config.stripe.apiUrl).toBeUndefined();
    expect(config.s3.forcePathStyle).toBe(false);
  });

  it('[R-CRYPTO] refuses plain-HTTP public addresses in production, except on loopback', () => {
    const message = configError({
      ...productionEnv,
      PUBLIC_WEB_URL: 'http://clipwise.example',
      PUBLIC_API_URL: 'http://api.clipwise.example',
      S3_PUBLIC_ENDPOINT: 'http://media.clipwise.example',
    });
    for (const name of ['PUBLIC_WEB_URL', 'PUBLIC_API_URL', 'S3_PUBLIC_ENDPOINT']) {
      expect(message).toContain(`${name}: must be https:// in production`);
    }
    expect(() =>
      loadConfig({
        ...productionEnv,
        PUBLIC_WEB_URL: 'http://localhost:3001',
        PUBLIC_API_URL: 'http://127.0.0.1:3001',
      }),
    ).not.toThrow();
  });

  it('refuses shortened retention durations in production: the policy table applies unchanged', () => {
    expect(configError({ ...productionEnv, DURATION_OVERRIDES: 'output=1000' })).toContain(
      'DURATION_OVERRIDES: must not be set in production',
    );
  });

  it('names every missing production value', () => {
    const message = configError({ NODE_ENV: 'production' });
    for (const name of [
      'DATABASE_URL',
      'S3_SECRET_ACCESS_KEY',
      'STRIPE_SECRET_KEY',
      'SESSION_SECRET',
      'SMTP_URL',
    ]) {
      expect(message).toContain(`${name}: required in production`);
    }
  });

  it('names a bad value and shows it, unless it is a secret', () => {
    const message = configError({ ...productionEnv, API_PORT: 'eighty', SESSION_SECRET: 'short' });
    expect(message).toMatch(/API_PORT: .*\(got "eighty"\)/);
    expect(message).toContain('SESSION_SECRET');
    expect(message).not.toContain('short');
  });

  it('refuses development secrets in production', () => {
    const message = configError({
      ...productionEnv,
      SESSION_SECRET: 'development-session-secret-not-for-production',
    });
    expect(message).toContain('SESSION_SECRET: the development default must not be used in production');
  });

  it('refuses an unknown NODE_ENV', () => {
    expect(configError({ NODE_ENV: 'staging' })).toContain('NODE_ENV');
  });

  it('stops a process at start-up with the variable named and exit code 78', () => {
    for (const entry of ['api/main.ts', 'worker/main.ts']) {
      const run = spawnSync(process.execPath, [entry], {
        env: { PATH: process.env.PATH, ...productionEnv, API_PORT: '70000' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(78);
      expect(run.stderr).toContain('API_PORT');
    }
  }, 60_000);

  it('lists every setting in the README configuration table', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const { name } of describeSettings()) expect(readme).toMatch(new RegExp(`\\| [^|]*\`${name}\``));
  });
});
