// Breach incidents over HTTP (S-BREACH): the legal team (with MFA) records an incident,
// follows its 72-hour deadline and its notices on the dashboard, and records the
// supervisory authority's notification.
import { z } from 'zod';
import {
  authorityNotifiedBody,
  incidentList,
  incidentListQuery,
  incidentView,
  recordIncidentBody,
} from '../../domain/contracts/incident.ts';
import type { Role } from '../../domain/accounts.ts';
import {
  getIncident,
  listIncidents,
  recordAuthorityNotified,
  recordIncident,
} from '../../use-cases/incident.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

const LEGAL: Role[] = ['legal', 'admin'];
const idParams = z.object({ id: z.uuid() });

export const incidentRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/legal/incidents',
    summary:
      'Record a personal-data breach: starts its 72-hour clock and tells the affected people, each once',
    tags: ['legal'],
    access: LEGAL,
    body: recordIncidentBody,
    status: 201,
    response: incidentView,
    handler: ({ deps, body, req }) => recordIncident(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/legal/incidents',
    summary: 'Breach incidents, newest first a page at a time, with their deadlines and notices',
    tags: ['legal'],
    access: LEGAL,
    query: incidentListQuery,
    response: incidentList,
    handler: ({ deps, query, req }) => listIncidents(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/legal/incidents/:id',
    summary: 'One incident and every step with its time',
    tags: ['legal'],
    access: LEGAL,
    params: idParams,
    response: incidentView,
    handler: ({ deps, params, req }) => getIncident(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/api/legal/incidents/:id/authority-notified',
    summary: 'Record that the supervisory authority was notified, with its reference',
    tags: ['legal'],
    access: LEGAL,
    params: idParams,
    body: authorityNotifiedBody,
    response: incidentView,
    errors: [{ status: 409, code: 'already_notified', when: 'the notification was already recorded' }],
    handler: ({ deps, params, body, req }) =>
      recordAuthorityNotified(deps, caller(req).user, params.id, body),
  }),
];
