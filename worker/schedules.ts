// The sweeps run from Temporal Schedules, created when a worker starts. Creating is
// idempotent: a schedule that exists is brought to the interval and action declared
// here (so a changed interval reaches production with the next deploy), and one paused
// by an operator stays paused.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import {
  ORPHAN_SWEEP_INTERVAL_MS,
  OVERDUE_SWEEP_INTERVAL_MS,
  SCHEDULE_IDS,
  SESSION_LOG_SWEEP_INTERVAL_MS,
  SWEEP_CATCHUP_WINDOW_MS,
} from '../domain/retention.ts';
import {
  ANALYTICS_SWEEP_INTERVAL_MS,
  EMAIL_LOG_SWEEP_INTERVAL_MS,
  KEPT_RECORD_SWEEP_INTERVAL_MS,
  PRIVACY_SCHEDULE_IDS,
} from '../domain/sweeps.ts';
import { BILLING_SCHEDULE_IDS, PAYMENT_RECORD_SWEEP_INTERVAL_MS } from '../domain/billing.ts';
import { GENERATION_SCHEDULE_IDS, UNSTARTED_JOB_SWEEP_INTERVAL_MS } from '../domain/generation.ts';
import { SUPPORT_SCHEDULE_IDS, SUPPORT_SWEEP_INTERVAL_MS } from '../domain/support.ts';
import { TASK_QUEUES } from '../domain/temporal.ts';
import type { Logger } from '../platform/logger.ts';
import type {
  analyticsSweepWorkflow,
  emailLogSweepWorkflow,
  keptRecordSweepWorkflow,
  orphanSweepWorkflow,
  overdueAssetSweepWorkflow,
  paymentRecordSweepWorkflow,
  sessionLogSweepWorkflow,
  supportTicketSweepWorkflow,
  unstartedJobSweepWorkflow,
} from '../workflows/sweeps.ts';

export interface SweepSchedule {
  scheduleId: string;
  workflowType:
    | 'sessionLogSweepWorkflow'
    | 'orphanSweepWorkflow'
    | 'overdueAssetSweepWorkflow'
    | 'analyticsSweepWorkflow'
    | 'emailLogSweepWorkflow'
    | 'keptRecordSweepWorkflow'
    | 'paymentRecordSweepWorkflow'
    | 'supportTicketSweepWorkflow'
    | 'unstartedJobSweepWorkflow';
  everyMs: number;
}

export const SWEEP_SCHEDULES: readonly SweepSchedule[] = [
  // A job saved while Temporal did not answer is started once it does.
  {
    scheduleId: GENERATION_SCHEDULE_IDS.unstartedJobSweep,
    workflowType: 'unstartedJobSweepWorkflow',
    everyMs: UNSTARTED_JOB_SWEEP_INTERVAL_MS,
  },
  {
    scheduleId: SCHEDULE_IDS.sessionLogSweep,
    workflowType: 'sessionLogSweepWorkflow',
    everyMs: SESSION_LOG_SWEEP_INTERVAL_MS,
  },
  {
    scheduleId: SCHEDULE_IDS.orphanSweep,
    workflowType: 'orphanSweepWorkflow',
    everyMs: ORPHAN_SWEEP_INTERVAL_MS,
  },
  // R-OUT-7D, R-IN-30D: nothing stays stored long past its time, even if its workflow was lost.
  {
    scheduleId: SCHEDULE_IDS.overdueSweep,
    workflowType: 'overdueAssetSweepWorkflow',
    everyMs: OVERDUE_SWEEP_INTERVAL_MS,
  },
  // R-ANALYTICS-12M: identifying analytics past 12 months become de-identified totals.
  {
    scheduleId: PRIVACY_SCHEDULE_IDS.analyticsSweep,
    workflowType: 'analyticsSweepWorkflow',
    everyMs: ANALYTICS_SWEEP_INTERVAL_MS,
  },
  // R-SUPPORT-3Y: the email log is kept 2 years.
  {
    scheduleId: PRIVACY_SCHEDULE_IDS.emailLogSweep,
    workflowType: 'emailLogSweepWorkflow',
    everyMs: EMAIL_LOG_SWEEP_INTERVAL_MS,
  },
  // What account deletions kept goes at its end dates (KEPT_AFTER_DELETION).
  {
    scheduleId: PRIVACY_SCHEDULE_IDS.keptRecordSweep,
    workflowType: 'keptRecordSweepWorkflow',
    everyMs: KEPT_RECORD_SWEEP_INTERVAL_MS,
  },
  // R-SUPPORT-3Y: support tickets are kept 3 years after closing.
  {
    scheduleId: SUPPORT_SCHEDULE_IDS.ticketSweep,
    workflowType: 'supportTicketSweepWorkflow',
    everyMs: SUPPORT_SWEEP_INTERVAL_MS,
  },
  // R-PAY-7Y: payment records are kept 7 years, then de-identified totals.
  {
    scheduleId: BILLING_SCHEDULE_IDS.paymentRecordSweep,
    workflowType: 'paymentRecordSweepWorkflow',
    everyMs: PAYMENT_RECORD_SWEEP_INTERVAL_MS,
  },
];

type SweepWorkflow =
  | typeof sessionLogSweepWorkflow
  | typeof orphanSweepWorkflow
  | typeof overdueAssetSweepWorkflow
  | typeof analyticsSweepWorkflow
  | typeof emailLogSweepWorkflow
  | typeof keptRecordSweepWorkflow
  | typeof paymentRecordSweepWorkflow
  | typeof supportTicketSweepWorkflow
  | typeof unstartedJobSweepWorkflow;

function definition(schedule: SweepSchedule) {
  return {
    spec: { intervals: [{ every: schedule.everyMs }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: schedule.workflowType,
      // Each run's id is this plus the scheduled time, so the UI lists them together.
      workflowId: schedule.scheduleId,
      taskQueue: TASK_QUEUES.system,
      args: [] as [],
    },
    // One sweep at a time; a run missed while the platform was down happens once on return.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: SWEEP_CATCHUP_WINDOW_MS },
  };
}

export async function ensureSweepSchedules(client: Client, logger?: Pick<Logger, 'info'>): Promise<void> {
  for (const schedule of SWEEP_SCHEDULES) {
    const wanted = definition(schedule);
    try {
      await client.schedule.create<SweepWorkflow>({ scheduleId: schedule.scheduleId, ...wanted });
      logger?.info({ scheduleId: schedule.scheduleId, everyMs: schedule.everyMs }, 'sweep schedule created');
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule
        .getHandle(schedule.scheduleId)
        .update<SweepWorkflow>((previous) => ({ ...wanted, state: previous.state }));
    }
  }
}
