// The Temporal client side of `subscription-<id>`: Stripe's events go to the
// subscription's workflow, starting it on the first one (signal-with-start), and the
// account deletion's end of it. A subscription whose workflow has ended takes no more
// events: a late or replayed one is dropped. Reading a subscription is not here:
// PostgreSQL holds it.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { SubscriptionEnd, SubscriptionEvent } from '../domain/subscription.ts';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../domain/temporal.ts';
import {
  endSignal,
  stripeEventSignal,
  type SubscriptionInput,
  type subscriptionWorkflow,
} from '../workflows/subscription.ts';

/** Delivers one event; 'ended' when the subscription's workflow has already finished. */
export async function sendSubscriptionEvent(
  client: Client,
  input: SubscriptionInput,
  event: SubscriptionEvent,
): Promise<'delivered' | 'ended'> {
  try {
    await client.workflow.signalWithStart<typeof subscriptionWorkflow, [SubscriptionEvent]>(
      'subscriptionWorkflow',
      {
        workflowId: workflowIds.subscription(input.subscriptionId),
        taskQueue: TASK_QUEUES.billing,
        args: [input],
        signal: stripeEventSignal,
        signalArgs: [event],
        typedSearchAttributes: [{ key: searchAttributes.userId, value: input.userId }],
        // A subscription that ended is never started again by a late event.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      },
    );
    return 'delivered';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'ended';
    throw err;
  }
}

/** Tells the workflow the platform ended the subscription; false when none is running. */
export async function endSubscription(
  client: Client,
  subscriptionId: string,
  end: SubscriptionEnd,
): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowIds.subscription(subscriptionId)).signal(endSignal, end);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
