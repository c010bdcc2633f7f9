// Activities of the generation workflow, one factory per concern: admitting the job
// (moderation, credits, provider), the provider calls, the built-in renderer, the output
// copy and the job's end. Each is keyed by the job id and checks what is already done
// before acting, so a retry after a crash repeats nothing.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import type { ImageClassifier } from '../../platform/image-classifier.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { Scratch } from '../../platform/scratch.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { createAdmissionActivities } from './admission.ts';
import { createFinishActivities } from './finish.ts';
import { createOutputActivities } from './output.ts';
import { createProviderActivities } from './provider.ts';
import { createRenderActivities } from './render.ts';

export type { JobStart } from './admission.ts';
export type { OutputSource, StoredOutput } from './output.ts';

export interface GenerationDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  classifier: ImageClassifier;
  scratch: Scratch;
}

export function createGenerationActivities(deps: GenerationDeps) {
  return {
    ...createAdmissionActivities(deps),
    ...createProviderActivities(deps),
    ...createRenderActivities(deps),
    ...createOutputActivities(deps),
    ...createFinishActivities(deps),
  };
}

export type GenerationActivities = ReturnType<typeof createGenerationActivities>;
