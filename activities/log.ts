// An activity's warnings, through the Runtime's logger (the worker's own, each line with the
// activity's workflow and type). Outside an activity (tests and scripts call activity
// functions directly) there is no activity to name them by, and nothing is logged.
import { Context } from '@temporalio/activity';

export function warn(message: string, meta: Record<string, unknown>): void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return;
  }
  context.log.warn(message, meta);
}
