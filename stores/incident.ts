// What an incident's workflow and the legal team share (S-BREACH): finding the affected
// people from the data, and each person's notice claimed, sent and confirmed one at a
// time so that nobody is emailed twice, whatever stops the worker in between.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Incident, IncidentNotice, User } from '../db/entities/index.ts';
import { INCIDENT_CATEGORY_WORDS, type IncidentCategory, type NoticeStatus } from '../domain/incident.ts';
import { emails } from '../platform/emails.ts';
import { sendLoggedMail, wasDelivered, type MailResult, type PrivacyMailDeps } from './mail.ts';

/**
 * For each category, the people (user ids) whose data of that kind existed during the
 * window (`:start` to `:end`). A feature that stores a new kind of personal data adds
 * its query here.
 */
export const AFFECTED_PEOPLE: Readonly<Record<IncidentCategory, string>> = {
  account: `select id as user_id from users where created_at <= :end`,
  uploads: `select user_id from assets where kind = 'input' and created_at <= :end and (deleted_at is null or deleted_at >= :start)`,
  videos: `select user_id from assets where kind in ('output', 'intermediate') and created_at <= :end and (deleted_at is null or deleted_at >= :start)`,
  prompts: `select user_id from generation_jobs where created_at <= :end`,
  payments: `select user_id from payments where created_at <= :end
             union select user_id from subscriptions where created_at <= :end
             union select user_id from invoices where created_at <= :end`,
  sessions: `select user_id from sessions where created_at <= :end and last_seen_at >= :start`,
  scripts: `select user_id from script_projects where created_at <= :end`,
  support: `select user_id from support_tickets where created_at <= :end and (closed_at is null or closed_at >= :start)`,
};

/** Records a pending notice for every affected person with an account; returns how many there are. */
export async function recordAffectedPeople(em: EntityManager, incident: Incident): Promise<number> {
  const union = incident.categories
    .map((c) =>
      AFFECTED_PEOPLE[c].replaceAll(':start', '?::timestamptz').replaceAll(':end', '?::timestamptz'),
    )
    .join(' union ');
  const params = incident.categories.flatMap((c) =>
    [...AFFECTED_PEOPLE[c].matchAll(/:(start|end)/g)].map((m) =>
      m[1] === 'start' ? incident.windowStart : incident.windowEnd,
    ),
  );
  await em.execute(
    `insert into incident_notices (incident_id, user_id, status)
     select ?, u.id, 'pending' from users u
      where u.status <> 'deleted' and u.id in (select user_id from (${union}) affected where user_id is not null)
     on conflict (incident_id, user_id) do nothing`,
    [incident.id, ...params],
  );
  return em.count(IncidentNotice, { incident: incident.id });
}

const dedupeKey = (incidentId: string, userId: string) => `incident:${incidentId}:${userId}`;

/**
 * Notices left `sending` were claimed by an attempt that stopped mid-send (the attempts
 * of one incident follow each other). The email log says whether the mail server took
 * the email: then it is sent; otherwise nobody knows, and it is `unconfirmed`, never sent
 * again by itself.
 */
export async function settleInterruptedNotices(em: EntityManager, incidentId: string): Promise<void> {
  await em.execute(
    `update incident_notices n
        set status = case when exists (select 1 from email_log l where l.dedupe_key = 'incident:' || n.incident_id || ':' || n.user_id)
                          then 'sent' else 'unconfirmed' end,
            sent_at = case when exists (select 1 from email_log l where l.dedupe_key = 'incident:' || n.incident_id || ':' || n.user_id)
                           then coalesce(n.sent_at, n.claimed_at) else null end
      where n.incident_id = ? and n.status = 'sending'`,
    [incidentId],
  );
}

/** Claims the next pending notice (committed before its email is sent). */
export async function claimNextNotice(
  em: EntityManager,
  incidentId: string,
): Promise<{ id: string; userId: string | null } | null> {
  const [row] = await em.execute<{ id: string; user_id: string | null }[]>(
    `update incident_notices set status = 'sending', claimed_at = now()
      where id = (select id from incident_notices where incident_id = ? and status = 'pending'
                   order by id limit 1 for update skip locked)
      returning id, user_id`,
    [incidentId],
  );
  return row ? { id: String(row.id), userId: row.user_id } : null;
}

/** Sends one claimed notice and confirms it; a person whose account went has no address. */
export async function sendClaimedNotice(
  deps: PrivacyMailDeps,
  em: EntityManager,
  incident: Incident,
  notice: { id: string; userId: string | null },
): Promise<NoticeStatus> {
  const user = notice.userId
    ? await em.fork().findOne(User, { id: notice.userId, status: { $ne: 'deleted' } })
    : null;
  let result: MailResult | 'no_address' = 'no_address';
  if (user) {
    result = await sendLoggedMail(
      deps,
      em,
      {
        dedupeKey: dedupeKey(incident.id, user.id),
        userId: user.id,
        template: 'incident_notice',
        category: 'transactional',
      },
      emails.incidentNotice(user.email, user.name, {
        description: incident.description,
        categories: incident.categories.map((c) => INCIDENT_CATEGORY_WORDS[c]),
        measures: incident.measures,
      }),
    );
  }
  // Sent here without a delivery window: a passing failure throws, and the claim settles
  // as unconfirmed; a refusal for good is the only other answer.
  const status: NoticeStatus =
    result === 'no_address' ? 'no_address' : wasDelivered(result) ? 'sent' : 'refused';
  await em.execute(
    `update incident_notices set status = ?, sent_at = ? where id = ? and status = 'sending'`,
    [status, status === 'sent' ? new Date() : null, notice.id],
  );
  return status;
}

/** How many notices of the incident are in each status. */
export async function noticeCounts(
  em: EntityManager,
  incidentId: string,
): Promise<Record<NoticeStatus, number>> {
  return (await noticeCountsByIncident(em, [incidentId])).get(incidentId)!;
}

/** How many notices of each incident are in each status: one query for a whole page. */
export async function noticeCountsByIncident(
  em: EntityManager,
  incidentIds: readonly string[],
): Promise<Map<string, Record<NoticeStatus, number>>> {
  const counts = new Map(
    incidentIds.map((id) => [
      id,
      { pending: 0, sending: 0, sent: 0, unconfirmed: 0, no_address: 0, refused: 0 },
    ]),
  );
  if (incidentIds.length === 0) return counts;
  const rows = await em.execute<{ incident_id: string; status: NoticeStatus; n: number }[]>(
    `select incident_id, status, count(*)::int as n from incident_notices
      where incident_id in (?) group by incident_id, status`,
    [incidentIds],
  );
  for (const row of rows) {
    const of = counts.get(row.incident_id);
    if (of) of[row.status] = Number(row.n);
  }
  return counts;
}
