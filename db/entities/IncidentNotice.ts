import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { NOTICE_STATUSES } from '../../domain/incident.ts';
import { Incident } from './Incident.ts';
import { User } from './User.ts';

/**
 * One affected person's notice of an incident: found from the data, then claimed, sent
 * and confirmed one at a time, so nobody is emailed twice (domain/incident.ts).
 */
export const IncidentNotice = defineEntity({
  name: 'IncidentNotice',
  tableName: 'incident_notices',
  uniques: [{ properties: ['incident', 'user'] }],
  indexes: [{ properties: ['incident', 'status'] }],
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    incident: () => p.manyToOne(Incident).mapToPk().deleteRule('cascade'),
    /** Detached if the person later deletes their account: the count still stands. */
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null'),
    status: p.enum(NOTICE_STATUSES).default('pending'),
    claimedAt: p.datetime().nullable(),
    sentAt: p.datetime().nullable(),
  },
});
export type IncidentNotice = InferEntity<typeof IncidentNotice>;
