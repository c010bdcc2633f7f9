import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { INCIDENT_STATUSES, type IncidentCategory } from '../../domain/incident.ts';

/**
 * A personal-data breach (S-BREACH) and every step with its time: recorded, the affected
 * people found from the data, their notices sent, the authority notified (or the 72-hour
 * deadline missed). The workflow `incident-<id>` moves it on; the legal dashboard reads it.
 */
export const Incident = defineEntity({
  name: 'Incident',
  tableName: 'incidents',
  properties: {
    id: uuidKey(),
    title: p.string().length(200),
    /** What happened, in words for the people affected (their notice quotes it). */
    description: p.text(),
    /** What was done about it and what people can do. */
    measures: p.text(),
    categories: p.json<IncidentCategory[]>(),
    discoveredAt: p.datetime(),
    windowStart: p.datetime(),
    windowEnd: p.datetime(),
    recordedBy: p.uuid(),
    recordedAt: createdNow().index(),
    deadlineAt: p.datetime(),
    status: p.enum(INCIDENT_STATUSES).default('finding_affected'),
    affectedFoundAt: p.datetime().nullable(),
    affectedCount: p.integer().nullable(),
    noticesStartedAt: p.datetime().nullable(),
    noticesSent: p.integer().default(0),
    noticesCompletedAt: p.datetime().nullable(),
    authorityNotifiedAt: p.datetime().nullable(),
    authorityNotifiedBy: p.uuid().nullable(),
    authorityReference: p.string().length(200).nullable(),
    deadlineMissedAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
  },
});
export type Incident = InferEntity<typeof Incident>;
