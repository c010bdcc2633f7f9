// When a workflow step's passing mail failures become final (domain/consent.ts,
// MAIL_DELIVERY_WINDOW_MS): the delivery window counted from the step's first attempt,
// which every retry shares, or from a moment the workflow gives (an announcement's
// start, for the recipients it tries again after its batches).
import { Context } from '@temporalio/activity';
import type { Config } from '../config/index.ts';

export function mailDeliverBy(config: Config, since?: string): Date | undefined {
  if (since) return new Date(Date.parse(since) + config.durations.mailDeliveryMs);
  try {
    return new Date(Context.current().info.scheduledTimestampMs + config.durations.mailDeliveryMs);
  } catch {
    // Not inside an activity (tests call activity functions directly): no window.
    return undefined;
  }
}
