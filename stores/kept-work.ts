// What the platform kept while Temporal did not answer and the unstarted sweep has not yet
// given to Temporal (activities/sweeps/unstarted-work.ts): by kind, how many wait and
// since when. The api serves it as metrics, so an operator sees an outage's backlog grow
// and drain, and is alerted to a row that stays (one Temporal refused, or a sweep that
// does not run), instead of counting eleven tables by hand.
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  UnstartedIncident,
  UnstartedJob,
  UnstartedMarketingCampaign,
  UnstartedParentalConsent,
  UnstartedPolicyAnnouncement,
  UnstartedRetention,
  UnstartedRightsRequest,
  UnstartedScriptRun,
  UnstartedTakedown,
  UntoldSignal,
  UntoldSubscriptionEvent,
} from '../db/entities/index.ts';

/** Each kind of kept work, named as the sweep's result names it, and where it waits. */
export const KEPT_WORK = {
  jobs: UnstartedJob,
  scriptRuns: UnstartedScriptRun,
  retentions: UnstartedRetention,
  rightsRequests: UnstartedRightsRequest,
  takedowns: UnstartedTakedown,
  incidents: UnstartedIncident,
  policyAnnouncements: UnstartedPolicyAnnouncement,
  marketingCampaigns: UnstartedMarketingCampaign,
  parentalConsents: UnstartedParentalConsent,
  subscriptionEvents: UntoldSubscriptionEvent,
  signals: UntoldSignal,
} as const;

export type KeptWorkKind = keyof typeof KEPT_WORK;

export interface KeptWork {
  kind: KeptWorkKind;
  /** Rows waiting for the sweep. */
  waiting: number;
  /** When the oldest of them was kept; null when none waits. */
  oldestAt: Date | null;
}

/** Every kind's backlog in `namespace` (the one the sweep of this deployment serves), in one query. */
export async function keptWork(em: EntityManager, namespace: string): Promise<KeptWork[]> {
  const kinds = Object.keys(KEPT_WORK) as KeptWorkKind[];
  // Each table's namespace index finds its rows; they are none while Temporal answers.
  const sql = kinds
    .map(
      (kind) =>
        `select ? as kind, count(*)::int as waiting, min(failed_at) as oldest_at
           from ${em.getPlatform().quoteIdentifier(KEPT_WORK[kind].meta.tableName)}
          where namespace = ?`,
    )
    .join(' union all ');
  const rows = await em.execute<{ kind: KeptWorkKind; waiting: number; oldest_at: Date | string | null }[]>(
    sql,
    kinds.flatMap((kind) => [kind, namespace]),
  );
  return rows.map((r) => ({
    kind: r.kind,
    waiting: r.waiting,
    oldestAt: r.oldest_at === null ? null : new Date(r.oldest_at),
  }));
}
