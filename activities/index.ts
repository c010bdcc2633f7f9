// Every activity the worker registers, built from the clients it is given.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ObjectStore } from '../platform/s3.ts';
import { createDiagnosticActivities } from './diagnostics.ts';

export interface ActivityDeps {
  orm: MikroORM;
  store: ObjectStore;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDiagnosticActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
