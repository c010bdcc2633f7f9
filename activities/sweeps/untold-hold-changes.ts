// Holds placed or released while Temporal did not answer their signals
// (use-cases/legal-hold.ts records them in `untold_hold_changes`): their workflows are
// told here, in the same scheduled run as unstarted jobs, once Temporal answers, as the
// hold is then (placed and released meanwhile: its release). A deletion the release
// deferred goes on within a minute, not at its workflow's daily look at the holds.
import type { MikroORM } from '@mikro-orm/postgresql';
import { tellHoldChange } from '../../clients/legal-hold.ts';
import type { Config } from '../../config/index.ts';
import { LegalHold, UntoldHoldChange } from '../../db/entities/index.ts';
import { UNSTARTED_SWEEP_BATCH_SIZE } from '../../domain/generation.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { holdChange } from '../../stores/legal-hold.ts';

export interface UntoldHoldChangeSweep {
  /** Hold changes told to their workflows. */
  told: number;
  /** Retention workflows signalled by the releases among them. */
  signalled: number;
}

export function createUntoldHoldChangeActivities(deps: {
  orm: MikroORM;
  temporal: TemporalClients;
  config: Config;
}) {
  return {
    async tellUntoldHoldChanges(): Promise<UntoldHoldChangeSweep> {
      const em = deps.orm.em.fork();
      const untold = await em.find(
        UntoldHoldChange,
        { namespace: deps.config.temporal.namespace },
        { orderBy: { failedAt: 'asc' }, limit: UNSTARTED_SWEEP_BATCH_SIZE },
      );
      const holds = await em.find(LegalHold, { id: { $in: untold.map((u) => u.hold) } });
      const result: UntoldHoldChangeSweep = { told: 0, signalled: 0 };
      for (const hold of holds) {
        // Temporal still not answering fails the whole run, to be tried again; telling
        // twice is harmless (each workflow reads the holds again).
        result.signalled += await tellHoldChange(deps.temporal.client, await holdChange(em, hold));
        result.told++;
        await em.nativeDelete(UntoldHoldChange, { hold: hold.id });
      }
      return result;
    },
  };
}
