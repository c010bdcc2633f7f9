// A person's choices about processing over HTTP: consent and first-party analytics
// (D-CONSENT, D-DNT), the restriction and objection switches (D-RESTRICT, D-OBJECT), the
// privacy settings, and one-click unsubscribe by the signed link (D-UNSUB). Whose choices
// they are (an account, or a browser before sign-in) and whether the browser asks not to
// be tracked come from the request; the rules are in use-cases/consent.ts.
import type { Request, Response } from 'express';
import { trackingRefused } from '../../domain/analytics.ts';
import {
  analyticsEventsBody,
  analyticsStored,
  consentsRecorded,
  consentsView,
  objectionBody,
  privacySettings,
  recordConsentBody,
  restrictionBody,
  unsubscribeQuery,
  unsubscribeResult,
} from '../../domain/contracts/consent.ts';
import {
  consentsOf,
  recordAnalyticsEvents,
  recordConsents,
  unsubscribe,
  unsubscribeStatus,
  type ConsentOwner,
} from '../../use-cases/consent.ts';
import { getPrivacySettings, setObjection, setRestriction } from '../../use-cases/consent-settings.ts';
import { caller } from '../auth/access.ts';
import type { ApiDeps } from '../deps.ts';
import { defineRoute } from '../route.ts';

function ownerOf(req: Request): ConsentOwner | null {
  if (req.auth) return { user: req.auth.user.id };
  if (req.visitorId) return { visitorId: req.visitorId };
  return null;
}

/** The first choice on a browser also gets its visitor id (and a CSRF token bound to it). */
function ownerIssued(deps: ApiDeps, req: Request, res: Response): ConsentOwner {
  const owner = ownerOf(req);
  if (owner) return owner;
  deps.csrf.issue(req, res);
  return ownerOf(req)!;
}

const doNotTrack = (req: Request) => trackingRefused({ dnt: req.get('dnt'), secGpc: req.get('sec-gpc') });

export const consentRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/consents',
    summary:
      'My current choices (or this browser’s, before sign-in), and whether the browser asks not to be tracked',
    tags: ['privacy'],
    access: 'public',
    response: consentsView,
    handler: ({ deps, req }) => consentsOf(deps, ownerOf(req), doNotTrack(req)),
  }),

  defineRoute({
    method: 'put',
    path: '/api/consents',
    summary: 'Record a choice: analytics cookies (anyone) or marketing email (signed in); opt-in only',
    tags: ['privacy'],
    access: 'public',
    body: recordConsentBody,
    response: consentsRecorded,
    handler: ({ deps, body, req, res }) => recordConsents(deps, ownerIssued(deps, req, res), body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/analytics/events',
    summary: 'Product analytics from the site; stored only with consent and without Do Not Track / GPC',
    tags: ['privacy'],
    access: 'public',
    status: 202,
    body: analyticsEventsBody,
    response: analyticsStored,
    handler: ({ deps, body, req }) =>
      recordAnalyticsEvents(
        deps,
        { owner: ownerOf(req), doNotTrack: doNotTrack(req), user: req.auth?.user ?? null },
        body,
      ),
  }),

  defineRoute({
    method: 'get',
    path: '/api/privacy/settings',
    summary: 'My restriction and objection switches, consents and policy acceptance',
    tags: ['privacy'],
    access: 'signed-in',
    response: privacySettings,
    handler: ({ deps, req }) => getPrivacySettings(deps, caller(req).user),
  }),

  defineRoute({
    method: 'put',
    path: '/api/privacy/restriction',
    summary:
      'Restrict processing of my data (no new generation, uploads or analytics) or lift it (D-RESTRICT)',
    tags: ['privacy'],
    access: 'signed-in',
    body: restrictionBody,
    response: privacySettings,
    handler: ({ deps, body, req }) => setRestriction(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'put',
    path: '/api/privacy/objection',
    summary: 'Object to analytics or direct marketing about me, or withdraw the objection (D-OBJECT)',
    tags: ['privacy'],
    access: 'signed-in',
    body: objectionBody,
    response: privacySettings,
    handler: ({ deps, body, req }) => setObjection(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/privacy/unsubscribe',
    summary: 'Whether the signed link’s owner still gets marketing email (reading it changes nothing)',
    tags: ['privacy'],
    access: 'public',
    query: unsubscribeQuery,
    response: unsubscribeResult,
    errors: [{ status: 403, code: 'invalid_link', when: 'the link is invalid or has expired' }],
    handler: ({ deps, query }) => unsubscribeStatus(deps, query),
  }),

  defineRoute({
    method: 'post',
    path: '/api/privacy/unsubscribe',
    summary:
      'One-click unsubscribe from marketing email (RFC 8058 List-Unsubscribe-Post), by the signed link',
    tags: ['privacy'],
    access: 'public',
    // Mail clients post without cookies: the signed link is the authentication.
    csrf: false,
    query: unsubscribeQuery,
    response: unsubscribeResult,
    errors: [{ status: 403, code: 'invalid_link', when: 'the link is invalid or has expired' }],
    handler: ({ deps, query }) => unsubscribe(deps, query),
  }),
];
