// STRIPE_PLAN_PRICES, read: which Stripe price each subscription plan (D-SUBSCRIPTION)
// is sold at. A plan without a price is not offered.
import { z } from 'zod';
import { PLAN_IDS, type PlanId } from '../domain/billing.ts';

/** `basic=price_…,pro=price_…`: each subscription plan's Stripe price (a monthly recurring price). */
export const planPrices = z
  .string()
  .min(1)
  .transform((value, ctx) => {
    const out: Partial<Record<PlanId, string>> = {};
    for (const pair of value.split(',')) {
      const [plan, price] = pair.split('=').map((s) => s.trim());
      if (
        !(PLAN_IDS as readonly string[]).includes(plan ?? '') ||
        !/^price_[A-Za-z0-9_]+$/.test(price ?? '')
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `"${pair}" is not plan=price_… (plans: ${PLAN_IDS.join(', ')})`,
        });
        return z.NEVER;
      }
      out[plan as PlanId] = price!;
    }
    return out;
  });
