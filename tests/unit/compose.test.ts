import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeSettings } from '../../config/index.ts';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal.ts';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  command?: string | string[];
}

const compose = parse(await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, Service>;
};
const dockerfile = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8');
const services = compose.services;

describe('docker-compose.yml', () => {
  it('has every service the platform needs', () => {
    for (const name of [
      'postgres',
      'temporal-schema',
      'temporal',
      'temporal-setup',
      'temporal-ui',
      'object-storage',
      'setup',
      'api',
      'worker',
      'web',
    ]) {
      expect(services[name], name).toBeDefined();
    }
  });

  it('runs Temporal on PostgreSQL after its schema is set up', () => {
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(services.temporal!.depends_on!['temporal-schema']!.condition).toBe(
      'service_completed_successfully',
    );
    const schema = String(services['temporal-schema']!.command);
    expect(schema).toContain('setup-schema');
    expect(schema).toContain('temporal_visibility');
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('registers every custom search attribute', () => {
    const setup = String(services['temporal-setup']!.command);
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) expect(setup).toContain(`${name}=${type}`);
  });

  it('encrypts objects at rest with the KMS key', () => {
    expect(services['object-storage']!.environment).toMatchObject({ MINIO_KMS_AUTO_ENCRYPTION: 'on' });
    expect(services['object-storage']!.environment!.MINIO_KMS_SECRET_KEY).toBeTruthy();
  });

  it('builds api, worker, web and setup from Dockerfile targets that exist', () => {
    for (const name of ['api', 'worker', 'web', 'setup']) {
      const target = services[name]!.build!.target;
      expect(dockerfile).toMatch(new RegExp(`^FROM .* AS ${target}$`, 'm'));
    }
  });

  it('gives api, worker and setup every setting production requires, wired to the other services', () => {
    const required = describeSettings().filter((s) => s.prod === undefined && !s.optional);
    for (const name of ['api', 'worker', 'setup']) {
      const env = services[name]!.environment!;
      expect(env.NODE_ENV).toBe('production');
      for (const setting of required) expect(env[setting.name], `${name} ${setting.name}`).toBeTruthy();
      expect(env.DATABASE_URL).toContain('@postgres:5432/');
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.S3_ENDPOINT).toBe('http://object-storage:9000');
    }
    expect(services.web!.environment!.API_INTERNAL_URL).toBe('http://api:3000');
    expect(services.api!.depends_on!.setup!.condition).toBe('service_completed_successfully');
    expect(services.worker!.depends_on!['temporal-setup']!.condition).toBe('service_completed_successfully');
  });
});
