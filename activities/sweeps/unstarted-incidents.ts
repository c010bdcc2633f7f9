// Breach incidents recorded while Temporal did not answer their workflow's start
// (use-cases/incident.ts records them in `unstarted_incidents`): started here, in the same
// scheduled run as unstarted jobs, once Temporal answers. The deadline the workflow
// watches is absolute, so a late start watches the same 72 hours. The authority's
// notification recorded before the start found no workflow and was let go, so once
// started the workflow is told of it if the row holds it (else it would record the
// deadline as missed). Each row is removed once its start is answered; a start tried
// again finds the workflow started under the incident's own id, and a notification told
// twice is taken once.
import { authorityNotifiedSignalFor, startIncident } from '../../clients/incident.ts';
import { sendSignal } from '../../clients/signals.ts';
import { Incident, UnstartedIncident } from '../../db/entities/index.ts';
import { namedIn, startEach, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedIncidentActivities(deps: UnstartedSweepDeps) {
  /** Tells the workflow just started of the authority's notification, if its row holds one. */
  async function tellNotified(incidentId: string) {
    const row = await deps.orm.em.fork().findOne(Incident, { id: incidentId });
    if (row?.authorityNotifiedAt)
      await sendSignal(deps.temporal.client, authorityNotifiedSignalFor(incidentId));
  }

  return {
    async startUnstartedIncidents(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      return startEach(
        namedIn(em, UnstartedIncident, deps.config, (w) => w.incident, Incident),
        {
          waits: (row) => row.status !== 'closed',
          start: async (row) => {
            await startIncident(deps.temporal.client, {
              incidentId: row.id,
              deadlineAt: row.deadlineAt.toISOString(),
            });
            await tellNotified(row.id);
          },
          forget: (row) => em.nativeDelete(UnstartedIncident, { incident: row.id }),
        },
      );
    },
  };
}
