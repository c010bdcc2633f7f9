import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableModels, createProviderAdapters } from '../../../providers/index.ts';
import type { ProvidersConfig } from '../../../providers/index.ts';
import { MODELS } from '../../../domain/models.ts';
import { startProviderSimulator } from '../../support/simulator/index.ts';
import type { ProviderSimulator } from '../../support/simulator/index.ts';
import { follow, model, requestFor } from './helpers.ts';

const unset = (baseUrl: string) => ({ apiKey: undefined, baseUrl });
const NO_KEYS: ProvidersConfig = {
  runway: unset('https://api.dev.runwayml.com'),
  luma: unset('https://api.lumalabs.ai'),
  pika: {
    ...unset('https://queue.fal.run'),
    webhookJwksUrl: 'https://rest.alpha.fal.ai/.well-known/jwks.json',
  },
  seedance: unset('https://ark.cn-beijing.volces.com'),
  veo: unset('https://api.evolink.ai'),
};

let sim: ProviderSimulator;
beforeAll(async () => {
  sim = await startProviderSimulator({ faults: { instant: true } });
});
afterAll(() => sim.stop());

describe('provider registry', () => {
  it('builds adapters only for providers with an API key', () => {
    const config = {
      ...NO_KEYS,
      luma: { ...NO_KEYS.luma, apiKey: 'k1' },
      veo: { ...NO_KEYS.veo, apiKey: 'k2' },
    };
    expect(Object.keys(createProviderAdapters(config)).sort()).toEqual(['luma', 'veo']);
    expect(createProviderAdapters(NO_KEYS)).toEqual({});
  });

  it('offers the local models always, and a provider’s models only with its key', () => {
    expect(availableModels(NO_KEYS).map((m) => m.provider)).toEqual(['local']);
    const withRunway = availableModels({ ...NO_KEYS, runway: { ...NO_KEYS.runway, apiKey: 'k' } });
    expect(new Set(withRunway.map((m) => m.provider))).toEqual(new Set(['local', 'runway']));
    expect(availableModels(sim.providersConfig())).toEqual([...MODELS]);
  });

  it('points every adapter at its base URL (here: the simulator for all)', async () => {
    const adapters = createProviderAdapters(sim.providersConfig());
    for (const name of ['runway', 'luma', 'pika', 'seedance', 'veo'] as const) {
      const adapter = adapters[name];
      expect(adapter?.name).toBe(name);
      const spec = MODELS.find((m) => m.provider === name) ?? model('local-v1');
      const { taskId } = await adapter!.submit(requestFor(spec));
      expect((await follow(adapter!, taskId)).final.status).toBe('succeeded');
    }
  });
});
