// The adapters this deployment can use: one per provider whose API key is configured.
// A provider without a key is simply not offered; `local` needs none and is not an HTTP
// adapter (see local.ts).
import type { Config } from '../config/index.ts';
import { MODELS } from '../domain/models.ts';
import type { ModelSpec, ProviderName } from '../domain/models.ts';
import { createLumaAdapter } from './luma.ts';
import { createPikaAdapter } from './pika.ts';
import { createRunwayAdapter } from './runway.ts';
import { createSeedanceAdapter } from './seedance.ts';
import type { AdapterOptions } from './http.ts';
import type { ProviderAdapter } from './types.ts';
import { createVeoAdapter } from './veo.ts';

type RemoteProvider = Exclude<ProviderName, 'local'>;
export type ProvidersConfig = Config['providers'];

const FACTORIES: Readonly<Record<RemoteProvider, (options: AdapterOptions) => ProviderAdapter>> = {
  runway: createRunwayAdapter,
  luma: createLumaAdapter,
  pika: createPikaAdapter,
  seedance: createSeedanceAdapter,
  veo: createVeoAdapter,
};

export function createProviderAdapters(
  config: ProvidersConfig,
  options: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Partial<Record<ProviderName, ProviderAdapter>> {
  const adapters: Partial<Record<ProviderName, ProviderAdapter>> = {};
  for (const name of Object.keys(FACTORIES) as RemoteProvider[]) {
    const { apiKey, baseUrl } = config[name];
    if (apiKey) adapters[name] = FACTORIES[name]({ apiKey, baseUrl, ...options });
  }
  return adapters;
}

/** Providers usable here: those with a key, and always `local`. */
export function configuredProviders(config: ProvidersConfig): ProviderName[] {
  return [
    'local',
    ...(Object.keys(FACTORIES) as RemoteProvider[]).filter((name) => Boolean(config[name].apiKey)),
  ];
}

/** The models a creator may pick on this deployment. */
export function availableModels(config: ProvidersConfig): ModelSpec[] {
  const providers = new Set(configuredProviders(config));
  return MODELS.filter((model) => providers.has(model.provider));
}

export { ProviderError } from './types.ts';
export type { GenerationRequest, ProviderAdapter, ProviderTaskState } from './types.ts';
