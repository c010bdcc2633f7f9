// What the API keeps of a start Temporal did not answer, for the unstarted sweep
// (activities/sweeps/unstarted*.ts): one table a kind, each row keyed by what it starts,
// so a deleted job, request, incident, policy version, campaign or account takes its row
// with it. A request sent again may record the same start again: once is enough. (An
// upload's retention keeps more: see stores/retention.ts.)
import type { EntityManager } from '@mikro-orm/postgresql';

/** Each kind's table and the column naming what its workflow is started for. */
const UNSTARTED_TABLES = {
  job: { table: 'unstarted_jobs', key: 'job_id' },
  scriptRun: { table: 'unstarted_script_runs', key: 'revision_id' },
  rightsRequest: { table: 'unstarted_rights_requests', key: 'request_id' },
  takedown: { table: 'unstarted_takedowns', key: 'takedown_id' },
  incident: { table: 'unstarted_incidents', key: 'incident_id' },
  policyAnnouncement: { table: 'unstarted_policy_announcements', key: 'version' },
  marketingCampaign: { table: 'unstarted_marketing_campaigns', key: 'campaign_id' },
  parentalConsent: { table: 'unstarted_parental_consents', key: 'user_id' },
} as const;

export type UnstartedKind = keyof typeof UNSTARTED_TABLES;

/** Keeps the start of `kind`'s workflow for `id`, for the sweep of `namespace`. */
export async function recordUnstartedStart(
  em: EntityManager,
  kind: UnstartedKind,
  id: string,
  namespace: string,
): Promise<void> {
  const { table, key } = UNSTARTED_TABLES[kind];
  await em.execute(
    `insert into ${table} (${key}, namespace, failed_at) values (?, ?, now()) on conflict (${key}) do nothing`,
    [id, namespace],
  );
}
