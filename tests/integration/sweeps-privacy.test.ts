// The privacy sweeps as Temporal Schedules next to the storage ones: identifying
// analytics older than 12 months become de-identified daily totals and are deleted
// (R-ANALYTICS-12M); the email log and marketing campaigns are kept 2 years
// (R-SUPPORT-3Y). Production durations: old rows are written with old dates, so the
// shared database's fresh rows are untouched.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnalyticsDailyTotal,
  AnalyticsEvent,
  EmailLog,
  LegalHold,
  MarketingCampaign,
  RightsRequest,
} from '../../db/entities/index.ts';
import { LEGAL_HOLD_RECORD_KEEP_MS, RIGHTS_REQUEST_RECORD_KEEP_MS } from '../../domain/account-deletion.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import {
  ANALYTICS_SWEEP_INTERVAL_MS,
  EMAIL_LOG_SWEEP_INTERVAL_MS,
  KEPT_RECORD_SWEEP_INTERVAL_MS,
  PRIVACY_SCHEDULE_IDS,
} from '../../domain/sweeps.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { DAY } from '../../domain/time.ts';
import { signedIn } from '../support/accounts.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const ago = (ms: number) => new Date(Date.now() - ms);
const run = (workflow: string) =>
  platform.clients.temporal.client.workflow.execute(workflow, {
    taskQueue: TASK_QUEUES.system,
    workflowId: `${workflow}-${randomUUID()}`,
    args: [],
  });

async function scheduleEvery(scheduleId: string): Promise<number> {
  const described = await platform.clients.temporal.client.schedule.getHandle(scheduleId).describe();
  const interval = described.spec.intervals?.[0]?.every;
  return typeof interval === 'number' ? interval : Number(interval);
}

describe('privacy sweeps', () => {
  it('[R-ANALYTICS-12M] turns identifying analytics older than 12 months into de-identified daily totals, and keeps newer ones', async () => {
    expect(RETENTION_POLICY.analyticsPersonal.keepMs).toBe(365 * DAY);
    expect(await scheduleEvery(PRIVACY_SCHEDULE_IDS.analyticsSweep)).toBe(ANALYTICS_SWEEP_INTERVAL_MS);
    const { user } = await signedIn(platform);
    const name = `sweep-${randomUUID().slice(0, 8)}`;
    const old = ago(400 * DAY);
    const recent = ago(300 * DAY);
    await em().insertMany(AnalyticsEvent, [
      { user: user.id, type: 'page_view', name, path: `/jobs/${randomUUID()}`, createdAt: old },
      { user: user.id, type: 'page_view', name, path: '/create', createdAt: old },
      { visitorId: 'v'.repeat(32), type: 'page_view', name, createdAt: old },
      { user: user.id, type: 'load_time', name, valueMs: 120, createdAt: old },
      { user: user.id, type: 'load_time', name, valueMs: 80, createdAt: old },
      { user: user.id, type: 'page_view', name, path: '/create', createdAt: recent },
    ]);
    const result = (await run('analyticsSweepWorkflow')) as { aggregated: number };
    expect(result.aggregated).toBeGreaterThanOrEqual(5);

    expect(await em().count(AnalyticsEvent, { name, createdAt: { $lt: ago(365 * DAY) } })).toBe(0);
    expect(await em().count(AnalyticsEvent, { name })).toBe(1);
    const totals = await em().find(AnalyticsDailyTotal, { name }, { orderBy: { type: 'asc' } });
    const day = old.toISOString().slice(0, 10);
    expect(
      totals.map((t) => ({
        day: String(t.day).slice(0, 10),
        type: t.type,
        events: t.events,
        sum: Number(t.valueMsSum),
        n: t.valueCount,
      })),
    ).toEqual([
      { day, type: 'load_time', events: 2, sum: 200, n: 2 },
      { day, type: 'page_view', events: 3, sum: 0, n: 0 },
    ]);
    // De-identified: the totals table has no column that could hold a person, a visitor or a path.
    const columns = await em().execute<{ column_name: string }[]>(
      `select column_name from information_schema.columns where table_name = 'analytics_daily_totals'`,
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual([
      'day',
      'events',
      'name',
      'type',
      'value_count',
      'value_ms_sum',
    ]);
    // A second run finds nothing more and counts nothing twice.
    await run('analyticsSweepWorkflow');
    expect((await em().findOneOrFail(AnalyticsDailyTotal, { name, type: 'page_view' })).events).toBe(3);
  });

  it('[R-SUPPORT-3Y] keeps the email log and marketing campaigns 2 years, then deletes them', async () => {
    expect(RETENTION_POLICY.emailCommunication.keepMs).toBe(2 * 365 * DAY);
    expect(RETENTION_POLICY.supportTicket.keepMs).toBe(3 * 365 * DAY);
    expect(await scheduleEvery(PRIVACY_SCHEDULE_IDS.emailLogSweep)).toBe(EMAIL_LOG_SWEEP_INTERVAL_MS);
    const key = randomUUID();
    await em().insertMany(EmailLog, [
      {
        dedupeKey: `${key}:old`,
        recipientHash: 'a'.repeat(64),
        template: 'test',
        category: 'transactional',
        sentAt: ago(2 * 365 * DAY + DAY),
      },
      {
        dedupeKey: `${key}:young`,
        recipientHash: 'b'.repeat(64),
        template: 'test',
        category: 'marketing',
        sentAt: ago(2 * 365 * DAY - DAY),
      },
    ]);
    // A campaign is counted from when its last email went, or from when it was sent if
    // its run never ended.
    const campaign = (createdAt: Date, finishedAt: Date | null) => ({
      id: randomUUID(),
      sentBy: randomUUID(),
      subject: `Campaign ${key}`,
      body: 'News for everyone who opted in.',
      createdAt,
      finishedAt,
      sent: finishedAt ? 3 : null,
    });
    const ended = campaign(ago(2 * 365 * DAY + 3 * DAY), ago(2 * 365 * DAY + DAY));
    const endedLate = campaign(ago(2 * 365 * DAY + 3 * DAY), ago(2 * 365 * DAY - DAY));
    const neverEnded = campaign(ago(2 * 365 * DAY + DAY), null);
    await em().insertMany(MarketingCampaign, [ended, endedLate, neverEnded]);

    const result = (await run('emailLogSweepWorkflow')) as { deleted: number; campaigns: number };
    expect(result.deleted).toBeGreaterThanOrEqual(1);
    expect(result.campaigns).toBeGreaterThanOrEqual(2);
    expect(await em().count(EmailLog, { dedupeKey: `${key}:old` })).toBe(0);
    expect(await em().count(EmailLog, { dedupeKey: `${key}:young` })).toBe(1);
    const left = await em().find(MarketingCampaign, { subject: `Campaign ${key}` });
    expect(left.map((c) => c.id)).toEqual([endedLate.id]);
  });

  it('[D-ERASE] removes what an account deletion kept at its end date: rights requests after 2 years, released holds after 7', async () => {
    expect(await scheduleEvery(PRIVACY_SCHEDULE_IDS.keptRecordSweep)).toBe(KEPT_RECORD_SWEEP_INTERVAL_MS);
    const { user } = await signedIn(platform);
    const request = (pseudonym: string | null, completedAt: Date) =>
      em().create(RightsRequest, {
        user: pseudonym ? null : user.id,
        subjectPseudonym: pseudonym,
        type: 'deletion',
        jurisdiction: 'GDPR',
        status: 'completed',
        createdAt: completedAt,
        completedAt,
      });
    const hold = (pseudonym: string | null, releasedAt: Date) => ({
      id: randomUUID(),
      userId: pseudonym ? null : user.id,
      subjectPseudonym: pseudonym,
      reason: `kept-record sweep ${randomUUID()}`,
      placedBy: user.id,
      placedAt: releasedAt,
      releasedAt,
      releasedBy: user.id,
      releaseReason: 'done',
    });
    const gone = randomUUID();
    const rows = em();
    const requests = {
      pastEnd: request(gone, ago(RIGHTS_REQUEST_RECORD_KEEP_MS + DAY)),
      beforeEnd: request(gone, ago(RIGHTS_REQUEST_RECORD_KEEP_MS - DAY)),
      // A person who still has an account keeps the record of their requests.
      living: request(null, ago(RIGHTS_REQUEST_RECORD_KEEP_MS + DAY)),
    };
    for (const r of Object.values(requests)) rows.persist(r);
    await rows.flush();
    const holds = {
      pastEnd: hold(gone, ago(LEGAL_HOLD_RECORD_KEEP_MS + DAY)),
      beforeEnd: hold(gone, ago(LEGAL_HOLD_RECORD_KEEP_MS - DAY)),
      living: hold(null, ago(LEGAL_HOLD_RECORD_KEEP_MS + DAY)),
    };
    await em().insertMany(LegalHold, Object.values(holds));

    const result = (await run('keptRecordSweepWorkflow')) as { rightsRequests: number; legalHolds: number };
    expect(result.rightsRequests).toBeGreaterThanOrEqual(1);
    expect(result.legalHolds).toBeGreaterThanOrEqual(1);
    const requestLeft = async (r: RightsRequest) => (await em().count(RightsRequest, { id: r.id })) === 1;
    expect(await requestLeft(requests.pastEnd)).toBe(false);
    expect(await requestLeft(requests.beforeEnd)).toBe(true);
    expect(await requestLeft(requests.living)).toBe(true);
    const holdLeft = async (h: { reason: string }) =>
      (await em().count(LegalHold, { reason: h.reason })) === 1;
    expect(await holdLeft(holds.pastEnd)).toBe(false);
    expect(await holdLeft(holds.beforeEnd)).toBe(true);
    expect(await holdLeft(holds.living)).toBe(true);
  });
});
