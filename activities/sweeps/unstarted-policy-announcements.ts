// Material policy changes published while Temporal did not answer their announcement's
// start (use-cases/policy.ts records them in `unstarted_policy_announcements`): started
// here, in the same scheduled run as unstarted jobs, once Temporal answers. A published
// version is announced whatever happened since, so none is let go. Each row is removed
// once its start is answered; a start tried again finds the announcement started under
// the version's own id, and sends nobody a second email (each batch sends to each
// account at most once).
import { startPolicyAnnouncement } from '../../clients/announcement.ts';
import { UnstartedPolicyAnnouncement } from '../../db/entities/index.ts';
import { startEach, waitingIn, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedPolicyAnnouncementActivities(deps: UnstartedSweepDeps) {
  return {
    async startUnstartedPolicyAnnouncements(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      const read = (offset: number) =>
        waitingIn(em, UnstartedPolicyAnnouncement, deps.config, { failedAt: 'asc' }, offset);
      return startEach(read, {
        waits: () => true,
        start: (row) => startPolicyAnnouncement(deps.temporal.client, row.version),
        forget: (row) => em.nativeDelete(UnstartedPolicyAnnouncement, { version: row.version }),
      });
    },
  };
}
