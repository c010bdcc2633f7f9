// Stripe's pages (Checkout, the customer portal) are another site: a form whose action
// answers with a redirect there sends the browser itself rather than through the router.
import type { SubmitFunction } from '$app/forms';
import { track } from '../consent/analytics.svelte.ts';

/** Wraps an enhanced submission (ActionForm's `wrap`) so a redirect to Stripe leaves the site. */
export const toStripe =
  (feature: string) =>
  (submit: SubmitFunction): SubmitFunction =>
  async (input) => {
    track('feature_use', feature);
    const after = await submit(input);
    return async (opts) => {
      if (opts.result.type === 'redirect' && /^https?:/.test(opts.result.location)) {
        window.location.assign(opts.result.location);
        return;
      }
      await after?.(opts);
    };
  };
