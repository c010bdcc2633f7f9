// Activities of the script project workflow, one factory per concern: the run's plan and
// end (local activities), the voice track, and the composition. Each is keyed by the
// revision id and checks what is already done before acting, so a retry after a crash
// repeats nothing: the scenes themselves are child generation jobs with their own.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { Scratch } from '../../platform/scratch.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { createComposeActivities } from './compose.ts';
import { createRunActivities } from './run.ts';
import { createVoiceActivities } from './voice.ts';

export type { RunPlan, SceneRender } from './run.ts';

export interface ScriptDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  scratch: Scratch;
}

export function createScriptActivities(deps: ScriptDeps) {
  return {
    ...createRunActivities(deps),
    ...createVoiceActivities({ ...deps, espeakPath: deps.config.espeakPath }),
    ...createComposeActivities(deps),
  };
}

export type ScriptActivities = ReturnType<typeof createScriptActivities>;
