// Reading workflow histories: the billable actions a run cost, and where its time went.
//
// Actions counted (Temporal Cloud's billing list, as each shows in a history):
//   WorkflowExecutionStarted and ContinuedAsNew (a start each), ActivityTaskScheduled plus
//   one per retry (ActivityTaskStarted.attempt - 1), MarkerRecorded (each local activity
//   records one marker: counted 1 each; side effects and versions are markers too),
//   TimerStarted, WorkflowExecutionSignaled, UpsertWorkflowSearchAttributes,
//   WorkflowPropertiesModified (memo), StartChildWorkflowExecutionInitiated,
//   SignalExternalWorkflowExecutionInitiated, RequestCancelExternalWorkflowExecutionInitiated,
//   WorkflowExecutionUpdateAccepted.
// Not counted: workflow tasks, completions, activity started/completed events, fired
// timers (part of the timer's action), which Temporal does not bill. Not visible in a
// history, so not counted either: queries (the platform sends none on its read path) and
// activity heartbeats (an activity that heartbeats sends its first one at once, so one
// per attempt: named where it applies).
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time.js';
import { percentile } from './figures.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type History = temporal.api.history.v1.IHistory;

export type ActionCounts = Record<string, number>;

/** The billable actions of one run, by kind (see the list above). */
export function billableActions(history: History): ActionCounts {
  const counts: ActionCounts = {};
  const add = (kind: string, n = 1) => {
    if (n > 0) counts[kind] = (counts[kind] ?? 0) + n;
  };
  for (const e of history.events ?? []) {
    if (e.workflowExecutionStartedEventAttributes) add('start');
    else if (e.workflowExecutionContinuedAsNewEventAttributes) add('continue-as-new');
    else if (e.activityTaskScheduledEventAttributes) add('activity');
    else if (e.activityTaskStartedEventAttributes)
      add('activity retry', (e.activityTaskStartedEventAttributes.attempt ?? 1) - 1);
    else if (e.markerRecordedEventAttributes)
      add(e.markerRecordedEventAttributes.markerName === 'core_local_activity' ? 'local activity' : 'marker');
    else if (e.timerStartedEventAttributes) add('timer');
    else if (e.workflowExecutionSignaledEventAttributes) add('signal');
    else if (e.upsertWorkflowSearchAttributesEventAttributes) add('search attributes');
    else if (e.workflowPropertiesModifiedEventAttributes) add('memo');
    else if (e.startChildWorkflowExecutionInitiatedEventAttributes) add('child workflow');
    else if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) add('signal external');
    else if (e.requestCancelExternalWorkflowExecutionInitiatedEventAttributes) add('cancel external');
    else if (e.workflowExecutionUpdateAcceptedEventAttributes) add('update');
  }
  return counts;
}

/**
 * Whether a run is waiting for its time: started with a start delay (its first task held
 * back by Temporal), or with a timer its first task set.
 */
export function waitsForItsTime(history: History): boolean {
  const events = history.events ?? [];
  const delay = events[0]?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff;
  return (delay != null && tsToMs(delay) > 0) || events.some((e) => e.timerStartedEventAttributes);
}

export const totalOf = (counts: ActionCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Sums counts of many runs, kind by kind. */
export function addCounts(into: ActionCounts, counts: ActionCounts): ActionCounts {
  for (const [k, v] of Object.entries(counts)) into[k] = (into[k] ?? 0) + v;
  return into;
}

/** How a count per kind reads: `start 1, activity 3, ...`. */
export function describeCounts(counts: ActionCounts, runs = 1): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${Math.round((v / runs) * 100) / 100}`)
    .join(', ');
}

const timeOf = (e: HistoryEvent | undefined) => (e?.eventTime ? tsToMs(e.eventTime) : NaN);

/**
 * Where a run's time went, from its events' server times, in ms: workflow tasks waiting
 * for a worker and running (those that ran local activities apart), each activity type
 * waiting and running, and the whole run from its start to its close.
 */
export function timeSpent(history: History): Record<string, number> {
  const events = history.events ?? [];
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const spent: Record<string, number> = {};
  const add = (label: string, ms: number) => {
    if (Number.isFinite(ms)) spent[label] = (spent[label] ?? 0) + ms;
  };
  const activityNames = new Map<number, string>();
  events.forEach((e, i) => {
    if (e.workflowTaskStartedEventAttributes) {
      add(
        'workflow task: waiting for a worker',
        timeOf(e) - timeOf(byId.get(Number(e.workflowTaskStartedEventAttributes.scheduledEventId))),
      );
    } else if (e.workflowTaskCompletedEventAttributes) {
      const ranLocal =
        events[i + 1]?.markerRecordedEventAttributes !== undefined &&
        events[i + 1]?.markerRecordedEventAttributes !== null;
      add(
        ranLocal ? 'workflow task: running, with local activities' : 'workflow task: running',
        timeOf(e) - timeOf(byId.get(Number(e.workflowTaskCompletedEventAttributes.startedEventId))),
      );
    } else if (e.activityTaskScheduledEventAttributes) {
      activityNames.set(Number(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    } else if (e.activityTaskStartedEventAttributes) {
      const scheduled = Number(e.activityTaskStartedEventAttributes.scheduledEventId);
      add(
        `activity ${activityNames.get(scheduled)}: waiting for a worker`,
        timeOf(e) - timeOf(byId.get(scheduled)),
      );
    } else if (e.activityTaskCompletedEventAttributes) {
      const a = e.activityTaskCompletedEventAttributes;
      add(
        `activity ${activityNames.get(Number(a.scheduledEventId))}: running`,
        timeOf(e) - timeOf(byId.get(Number(a.startedEventId))),
      );
    }
  });
  add('whole run, start to close', timeOf(events.at(-1)) - timeOf(events[0]));
  return spent;
}

/** The run's start and close times (ms since the epoch), from its first and last events. */
export function runSpan(history: History): { startedAt: number; closedAt: number } {
  const events = history.events ?? [];
  return { startedAt: timeOf(events[0]), closedAt: timeOf(events.at(-1)) };
}

/**
 * Each step's median, round by round, for one side: where a side's p50 moved between
 * rounds of the same offer, this shows which step moved.
 */
export class StepsByRound {
  private readonly samples = new Map<string, Map<number, number[]>>();

  add(round: number, spent: Record<string, number>): void {
    for (const [label, ms] of Object.entries(spent)) {
      const rounds = this.samples.get(label) ?? new Map<number, number[]>();
      this.samples.set(label, rounds);
      const values = rounds.get(round) ?? [];
      rounds.set(round, values);
      values.push(ms);
    }
  }

  labels(): string[] {
    return [...this.samples.keys()];
  }

  medianMs(label: string, round: number): number | undefined {
    const values = this.samples.get(label)?.get(round);
    return values?.length ? percentile(values, 50) : undefined;
  }
}
