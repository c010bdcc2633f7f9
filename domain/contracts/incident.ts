// What the API takes and gives for breach incidents (S-BREACH): what legal staff record,
// the incident with its 72-hour clock and every step's time, and the authority's
// notification. One schema for validation, the OpenAPI document and the site's types.
import { z } from 'zod';
import {
  INCIDENT_CATEGORIES,
  INCIDENT_LIST_LIMIT,
  INCIDENT_LIST_MAX_LIMIT,
  INCIDENT_STATUSES,
  NOTICE_STATUSES,
} from '../incident.ts';
import { nextCursor, pageQuery } from './page.ts';

const when = z.iso.datetime({ offset: true });

export const recordIncidentBody = z
  .object({
    title: z.string().trim().min(3).max(200),
    /** What happened, in words for the people affected: their notice quotes it. */
    description: z.string().trim().min(10).max(5000),
    /** What was done about it, and what people can do. */
    measures: z.string().trim().min(10).max(5000),
    categories: z.array(z.enum(INCIDENT_CATEGORIES)).min(1),
    discoveredAt: when,
    windowStart: when,
    windowEnd: when,
  })
  .refine((b) => new Date(b.windowStart) <= new Date(b.windowEnd), {
    path: ['windowEnd'],
    message: 'The window ends after it starts.',
  })
  .refine((b) => new Date(b.discoveredAt).getTime() <= Date.now() + 60_000, {
    path: ['discoveredAt'],
    message: 'When it was found cannot be in the future.',
  });
export type RecordIncidentBody = z.infer<typeof recordIncidentBody>;

export const incidentView = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  measures: z.string(),
  categories: z.array(z.enum(INCIDENT_CATEGORIES)),
  status: z.enum(INCIDENT_STATUSES),
  discoveredAt: z.string(),
  windowStart: z.string(),
  windowEnd: z.string(),
  recordedAt: z.string(),
  recordedBy: z.uuid(),
  /** 72 hours after it was found (GDPR art. 33). */
  deadlineAt: z.string(),
  authority: z.object({
    status: z.enum(['due', 'overdue', 'notified', 'notified_late']),
    notifiedAt: z.string().nullable(),
    reference: z.string().nullable(),
    deadlineMissedAt: z.string().nullable(),
  }),
  affectedFoundAt: z.string().nullable(),
  affectedCount: z.number().nullable(),
  noticesStartedAt: z.string().nullable(),
  noticesCompletedAt: z.string().nullable(),
  notices: z.record(z.enum(NOTICE_STATUSES), z.number()),
  closedAt: z.string().nullable(),
  workflowId: z.string(),
  temporalUiUrl: z.url(),
});
export type IncidentView = z.infer<typeof incidentView>;
export const incidentListQuery = z.object({
  ...pageQuery(INCIDENT_LIST_LIMIT, INCIDENT_LIST_MAX_LIMIT),
});
export type IncidentListQuery = z.infer<typeof incidentListQuery>;

export const incidentList = z.object({ incidents: z.array(incidentView), nextCursor });
export type IncidentList = z.infer<typeof incidentList>;

export const authorityNotifiedBody = z.object({
  /** The authority's case number or the submission's reference. */
  reference: z.string().trim().min(1).max(200),
});
export type AuthorityNotifiedBody = z.infer<typeof authorityNotifiedBody>;
