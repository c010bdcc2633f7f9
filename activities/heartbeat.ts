// Heartbeats for long activities: progress reported as they go, so a retry resumes where
// the last attempt stopped. Both work outside an activity too (tests and scripts call
// activity functions directly), where there is nothing to report to.
import { Context } from '@temporalio/activity';

export function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Not inside an activity.
  }
}

/** The last heartbeat's details when this attempt is a retry; undefined otherwise. */
export function resumeFrom<T>(): T | undefined {
  try {
    return Context.current().info.heartbeatDetails as T | undefined;
  } catch {
    return undefined;
  }
}
