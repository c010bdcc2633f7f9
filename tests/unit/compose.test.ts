import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeSettings } from '../../config/index.ts';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal.ts';
import { WORKER_NODE_OPTIONS } from '../../worker/tuning.ts';
import {
  CONFIG_ROOT,
  SERVER_ARGS,
  SERVER_PORTS,
  TEMPORAL_DATABASES,
  TEMPORAL_FILES,
  UI_SERVER_ARGS,
  readNamespaceSettings,
} from '../../scripts/stack/temporal-server.ts';
import { OBJECT_STORE_NO_CALL_HOME, postgresSettingFlags } from '../../scripts/stack/services.ts';
import { PRIVATE_ERROR_LOG } from '../../db/private-errors.ts';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  command?: string | string[];
  entrypoint?: string[];
  working_dir?: string;
  volumes?: string[];
  ports?: string[];
}

const compose = parse(await readFile(new URL('../../docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, Service>;
};
const readFileSyncText = (file: string) => readFileSync(file, 'utf8');
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

  it('runs Temporal on PostgreSQL after its schema is set up, and the UI against it', () => {
    expect(services.temporal!.environment).toMatchObject({ SQL_HOST: 'postgres', SQL_PORT: '5432' });
    expect(services.temporal!.environment!.SQL_PASSWORD).toBeTruthy();
    expect(services['temporal-schema']!.environment).toEqual(
      Object.fromEntries(
        Object.entries(services.temporal!.environment!).filter(([k]) => k.startsWith('SQL_')),
      ),
    );
    expect(services.temporal!.depends_on!['temporal-schema']!.condition).toBe(
      'service_completed_successfully',
    );
    expect(services['temporal-setup']!.depends_on!.temporal!.condition).toBe('service_healthy');
    expect(services['temporal-ui']!.environment!.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('encrypts objects at rest with the KMS key', () => {
    expect(services['object-storage']!.environment).toMatchObject({ MINIO_KMS_AUTO_ENCRYPTION: 'on' });
    expect(services['object-storage']!.environment!.MINIO_KMS_SECRET_KEY).toBeTruthy();
  });

  it('makes no call home: MinIO’s update check and call home off, as the dev stack runs it', () => {
    expect(services['object-storage']!.environment).toMatchObject(OBJECT_STORE_NO_CALL_HOME);
  });

  it('runs PostgreSQL with failing statements logged without their values, as the dev stack does', () => {
    expect(services.postgres!.command).toEqual(['postgres', ...postgresSettingFlags(PRIVATE_ERROR_LOG)]);
  });

  it('builds api, worker, web and setup from Dockerfile targets that exist', () => {
    for (const name of ['api', 'worker', 'web', 'setup']) {
      const target = services[name]!.build!.target;
      expect(dockerfile).toMatch(new RegExp(`^FROM .* AS ${target}$`, 'm'));
    }
  });

  it('runs the worker image with the V8 options every worker process takes', () => {
    expect(dockerfile).toMatch(/^FROM .* AS worker$/m);
    const from = dockerfile.search(/^FROM .* AS worker$/m);
    const next = dockerfile.slice(from + 1).search(/^FROM /m);
    const stage = dockerfile.slice(from, next < 0 ? undefined : from + 1 + next);
    expect(stage).toContain(`ENV NODE_OPTIONS=${WORKER_NODE_OPTIONS}`);
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

// The local production profile (scripts/stack/temporal-server.ts) runs Temporal from
// config/ with these files and arguments; docker-compose.yml must run the same ones.
describe('docker-compose.yml and the local production profile', () => {
  const temporalServices = ['temporal-schema', 'temporal', 'temporal-setup', 'temporal-ui'];
  const serverConfig = readFileSyncText(
    path.join(CONFIG_ROOT, TEMPORAL_FILES.serverConfigDir, 'production.yaml'),
  );
  /** The default a `{{ default "x" (env "NAME") }}` in the server's config template gives NAME. */
  const templateDefault = (name: string) =>
    new RegExp(`default "([^"]*)" \\(env "${name}"\\)`).exec(serverConfig)?.[1];

  it('mount config/temporal/ and run from the folder that holds it, as the local profile runs from config/', () => {
    expect(path.basename(CONFIG_ROOT)).toBe('config');
    for (const name of temporalServices) {
      const service = services[name]!;
      expect(service.volumes, name).toContain('./config/temporal:/etc/clipwise/temporal:ro');
      expect(service.working_dir, name).toBe('/etc/clipwise');
    }
    for (const file of Object.values(TEMPORAL_FILES).filter((f) => f.includes('/'))) {
      expect(existsSync(path.join(CONFIG_ROOT, file)), file).toBe(true);
    }
  });

  it('start the server and the UI server with the same arguments, the schema and namespace steps with the same scripts', () => {
    expect(services.temporal!.entrypoint).toEqual(['temporal-server', ...SERVER_ARGS]);
    expect(services['temporal-ui']!.entrypoint!.slice(1)).toEqual(UI_SERVER_ARGS);
    expect(services['temporal-schema']!.entrypoint).toEqual(['bash', TEMPORAL_FILES.schemaSteps]);
    expect(services['temporal-setup']!.entrypoint).toEqual(['bash', TEMPORAL_FILES.namespaceSteps]);
    expect(serverConfig).toContain(`filepath: ${TEMPORAL_FILES.dynamicConfig}`);
  });

  it('run the same number of history shards: the config file’s, overridden by neither', () => {
    expect(templateDefault('TEMPORAL_HISTORY_SHARDS')).toBe('16');
    for (const name of temporalServices) {
      expect(services[name]!.environment?.TEMPORAL_HISTORY_SHARDS, name).toBeUndefined();
    }
  });

  it('give the namespace the same retention and search attributes, those the code uses', () => {
    const settings = readNamespaceSettings();
    expect(settings.retention).toBe('72h');
    expect(settings.searchAttributes).toEqual(SEARCH_ATTRIBUTES);
    expect(services['temporal-setup']!.environment).toEqual({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: services.api!.environment!.TEMPORAL_NAMESPACE,
    });
  });

  it('set up the same databases with the same embedded schemas', () => {
    const script = readFileSyncText(path.join(CONFIG_ROOT, TEMPORAL_FILES.schemaSteps));
    const steps = [...script.matchAll(/^\s+"(\w+) (postgresql\/v12\/\w+)"$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(steps)).toEqual(TEMPORAL_DATABASES);
    for (const database of Object.keys(TEMPORAL_DATABASES)) {
      expect(serverConfig).toContain(`databaseName: ${database}\n`);
    }
  });

  it('publish the frontend, the UI and the server’s metrics on the ports the config file defaults to', () => {
    expect(services.temporal!.ports).toEqual([
      `127.0.0.1:${SERVER_PORTS.frontend}:${templateDefault('TEMPORAL_FRONTEND_PORT')}`,
      `127.0.0.1:${SERVER_PORTS.metrics}:${templateDefault('TEMPORAL_METRICS_PORT')}`,
    ]);
    expect(services['temporal-ui']!.ports).toEqual([
      `127.0.0.1:8233:${services['temporal-ui']!.environment!.TEMPORAL_UI_PORT}`,
    ]);
    for (const [name, port] of Object.entries(SERVER_PORTS)) {
      const variable = `TEMPORAL_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_PORT`;
      expect(templateDefault(variable), variable).toBe(String(port));
    }
  });
});
