// Consent (D-CONSENT) and first-party analytics (D-DNT). Every choice is a new row with
// its time, source and policy version; the latest one counts, and withdrawing changes
// nothing that was lawfully done before. Analytics are stored only with consent, never
// for a request that carries Do Not Track or Global Privacy Control, and never for a
// user who restricted processing or objected to analytics.
import type { Request } from 'express';
import { z } from 'zod';
import { ANALYTICS_EVENT_TYPES, MAX_ANALYTICS_BATCH, trackingRefused } from '../../domain/analytics.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../../domain/privacy.ts';
import { AnalyticsEvent, Consent } from '../../db/entities/index.ts';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ApiDeps } from '../deps.ts';
import { badRequest } from '../errors.ts';
import { defineRoute } from '../route.ts';

const SOURCES = ['banner', 'settings', 'sign_up', 'privacy_center'] as const;

type Owner = { user: string } | { visitorId: string };

function ownerOf(req: Request): Owner | null {
  if (req.auth) return { user: req.auth.user.id };
  if (req.visitorId) return { visitorId: req.visitorId };
  return null;
}

/** The latest choice per purpose for a user or a visitor's browser. */
export async function currentConsents(
  em: EntityManager,
  owner: Owner,
): Promise<Record<ConsentPurpose, { granted: boolean; at: string; policyVersion: string } | null>> {
  const result = Object.fromEntries(CONSENT_PURPOSES.map((p) => [p, null])) as Record<
    ConsentPurpose,
    { granted: boolean; at: string; policyVersion: string } | null
  >;
  for (const purpose of CONSENT_PURPOSES) {
    const [latest] = await em.find(Consent, { ...owner, purpose }, { orderBy: { id: 'desc' }, limit: 1 });
    if (latest)
      result[purpose] = {
        granted: latest.granted,
        at: latest.createdAt.toISOString(),
        policyVersion: latest.policyVersion,
      };
  }
  return result;
}

const doNotTrack = (req: Request) => trackingRefused({ dnt: req.get('dnt'), secGpc: req.get('sec-gpc') });

export function consentRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/consents',
      summary:
        'My current choices (or this browser’s, before sign-in), and whether the browser asks not to be tracked',
      tags: ['privacy'],
      access: 'public',
      handler: async ({ req }) => {
        const owner = ownerOf(req);
        const choices = owner
          ? await currentConsents(deps.orm.em.fork(), owner)
          : Object.fromEntries(CONSENT_PURPOSES.map((p) => [p, null]));
        return { policyVersion: POLICY_VERSION, doNotTrack: doNotTrack(req), choices };
      },
    }),

    defineRoute({
      method: 'put',
      path: '/api/consents',
      summary: 'Record a choice: analytics cookies (anyone) or marketing email (signed in); opt-in only',
      tags: ['privacy'],
      access: 'public',
      body: z
        .object({
          analytics: z.boolean().optional(),
          marketingEmail: z.boolean().optional(),
          source: z.enum(SOURCES),
        })
        .refine(
          (b) => b.analytics !== undefined || b.marketingEmail !== undefined,
          'Choose at least one purpose.',
        ),
      handler: async ({ body, req, res }) => {
        let owner = ownerOf(req);
        if (!owner) {
          // The first choice on a browser also gets its visitor id (and a CSRF token bound to it).
          deps.csrf.issue(req, res);
          owner = ownerOf(req)!;
        }
        if (body.marketingEmail !== undefined && !req.auth) {
          throw badRequest('Sign in to choose marketing email.', [
            { field: 'marketingEmail', message: 'Only for signed-in accounts.' },
          ]);
        }
        const em = deps.orm.em.fork();
        const changes: [ConsentPurpose, boolean][] = [];
        if (body.analytics !== undefined) changes.push(['analytics', body.analytics]);
        if (body.marketingEmail !== undefined) changes.push(['marketing_email', body.marketingEmail]);
        for (const [purpose, granted] of changes) {
          em.create(Consent, {
            ...('user' in owner ? { user: owner.user } : { visitorId: owner.visitorId }),
            purpose,
            granted,
            policyVersion: POLICY_VERSION,
            source: body.source,
            createdAt: new Date(),
          });
        }
        await em.flush();
        return { policyVersion: POLICY_VERSION, choices: await currentConsents(em, owner) };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/analytics/events',
      summary: 'Product analytics from the site; stored only with consent and without Do Not Track / GPC',
      tags: ['privacy'],
      access: 'public',
      status: 202,
      body: z.object({
        events: z
          .array(
            z.object({
              type: z.enum(ANALYTICS_EVENT_TYPES),
              name: z.string().min(1).max(100),
              path: z.string().max(300).optional(),
              valueMs: z.number().int().min(0).max(3_600_000).optional(),
            }),
          )
          .min(1)
          .max(MAX_ANALYTICS_BATCH),
      }),
      handler: async ({ body, req }) => {
        if (doNotTrack(req)) return { stored: 0, reason: 'do_not_track' };
        const owner = ownerOf(req);
        if (!owner) return { stored: 0, reason: 'no_consent' };
        const user = req.auth?.user;
        if (user?.restrictedAt) return { stored: 0, reason: 'restricted' };
        if (user?.objectedToAnalyticsAt) return { stored: 0, reason: 'objected' };
        const em = deps.orm.em.fork();
        const consent = (await currentConsents(em, owner)).analytics;
        if (!consent?.granted) return { stored: 0, reason: 'no_consent' };
        for (const event of body.events) {
          // Paths only, never query strings: those may carry tokens or search terms.
          const path = event.path?.split('?')[0]?.split('#')[0] ?? null;
          em.create(AnalyticsEvent, {
            ...('user' in owner ? { user: owner.user } : { visitorId: owner.visitorId }),
            type: event.type,
            name: event.name,
            path,
            valueMs: event.valueMs ?? null,
            createdAt: new Date(),
          });
        }
        await em.flush();
        return { stored: body.events.length };
      },
    }),
  ];
}
