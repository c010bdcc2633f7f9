// How a rights request is seen, by its owner and by the legal team (D-CLOCK: the
// deadline and the days left; D-VERIFY: the code's state; each step of its workflow).
// Every view is read from PostgreSQL only: the request's row carries its status and its
// steps, written together by the statements that change them, so a view answers at once
// (even with no worker running) and its status and steps never disagree. Every staff
// access to a person's request is audited (S-RBAC).
import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { Asset, EmailLog, RightsRequest } from '../db/entities/index.ts';
import {
  dueCursorOf,
  type LegalRequestList,
  type LegalRequestQuery,
  type LegalRequestView,
  type MyRequestQuery,
  type RequestList,
  type RequestView,
} from '../domain/contracts/rights-request.ts';
import { notFound } from '../domain/errors.ts';
import {
  DUE_SOON_DAYS,
  OPEN_REQUEST_STATUSES,
  VERIFICATION_MAX_ATTEMPTS,
  isCancellable,
  isFinished,
  orderedSteps,
  requestDaysLeft,
} from '../domain/rights-request.ts';
import { DAY } from '../domain/time.ts';
import { recordAudit } from '../platform/audit.ts';
import { newestPage } from '../stores/time-pages.ts';
import type { Actor, UseCaseDeps } from './deps.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The email log's key of the email carrying a request's code sent at `sentAt`. */
export const verificationMailKey = (requestId: string, sentAt: Date) =>
  `verification:${requestId}:${sentAt.getTime()}`;

/** The code's state while the request waits for it (D-VERIFY). */
function verificationOf(request: RightsRequest, codeRefused: boolean): RequestView['verification'] {
  if (request.status !== 'awaiting_verification') return null;
  if (!request.verificationCodeHash) return { codeExpiresAt: null, attemptsLeft: 0, codeRefused };
  return {
    codeExpiresAt: iso(request.verificationExpiresAt),
    attemptsLeft: Math.max(0, VERIFICATION_MAX_ATTEMPTS - request.verificationAttempts),
    codeRefused,
  };
}

/**
 * The requests whose newest code the account's mail server refused for good: the person
 * waits for a code that cannot come, and the page says so (the email log knows it).
 */
async function refusedCodes(em: EntityManager, requests: readonly RightsRequest[]): Promise<Set<string>> {
  const keys = new Map<string, string>();
  for (const r of requests) {
    if (r.status === 'awaiting_verification' && r.verificationSentAt) {
      keys.set(verificationMailKey(r.id, r.verificationSentAt), r.id);
    }
  }
  if (!keys.size) return new Set();
  const refused = await em.find(
    EmailLog,
    { dedupeKey: { $in: [...keys.keys()] }, outcome: 'refused' },
    { fields: ['dedupeKey'] },
  );
  return new Set(refused.map((log) => keys.get(log.dedupeKey)!));
}

export function requestViewOf(
  request: RightsRequest,
  exported: Asset | null,
  now = new Date(),
  codeRefused = false,
): RequestView {
  return {
    id: request.id,
    type: request.type,
    jurisdiction: request.jurisdiction,
    status: request.status,
    origin: request.origin,
    createdAt: request.createdAt.toISOString(),
    expiresAt: request.status === 'awaiting_verification' ? iso(request.expiresAt) : null,
    verifiedAt: iso(request.verifiedAt),
    dueAt: iso(request.extendedDueAt ?? request.dueAt),
    originalDueAt: iso(request.dueAt),
    extended: Boolean(request.extendedDueAt),
    extensionReason: request.extensionReason ?? null,
    daysLeft: isFinished(request.status) ? null : requestDaysLeft(request, now),
    pausedReason: request.pausedReason ?? null,
    completedAt: iso(request.completedAt),
    canCancel: isCancellable(request.status, request.steps),
    workflowId: request.workflowId ?? null,
    verification: verificationOf(request, codeRefused),
    progress: { steps: orderedSteps(request.type, request.steps), counts: request.counts ?? {} },
    export: exported
      ? { assetId: exported.id, status: exported.status, deleteAt: iso(exported.deleteAt) }
      : null,
  };
}

/** Views of many requests, their export archives read in one query. */
export async function requestViews(
  em: EntityManager,
  requests: readonly RightsRequest[],
): Promise<RequestView[]> {
  const assetIds = requests.map((r) => r.resultAssetId).filter((id): id is string => Boolean(id));
  const assets = assetIds.length ? await em.find(Asset, { id: { $in: assetIds } }) : [];
  const byId = new Map(assets.map((a) => [a.id, a]));
  const refused = await refusedCodes(em, requests);
  const now = new Date();
  return requests.map((r) =>
    requestViewOf(r, (r.resultAssetId && byId.get(r.resultAssetId)) || null, now, refused.has(r.id)),
  );
}

/** One request as it stands now, read afresh (after a change). */
export async function freshView(deps: UseCaseDeps, requestId: string): Promise<RequestView> {
  const em = deps.orm.em.fork();
  const [view] = await requestViews(em, [await em.findOneOrFail(RightsRequest, { id: requestId })]);
  return view!;
}

/** The owner's request; another person's answers exactly like an unknown one. */
export async function ownRequest(em: EntityManager, owner: Actor, id: string): Promise<RightsRequest> {
  const request = await em.findOne(RightsRequest, { id, user: owner.id });
  if (!request) throw notFound('No such request.');
  return request;
}

/** A page of my requests, newest first: all of them, or the open ones, of any type or one. */
export async function listMyRequests(
  deps: UseCaseDeps,
  owner: Actor,
  query: MyRequestQuery,
): Promise<RequestList> {
  const em = deps.orm.em.fork();
  const where: FilterQuery<RightsRequest> = {
    user: owner.id,
    ...(query.status === 'open' ? { status: { $in: [...OPEN_REQUEST_STATUSES] } } : {}),
    ...(query.type ? { type: query.type } : {}),
  };
  const { page, nextCursor } = await newestPage(em, RightsRequest, where, query);
  return { requests: await requestViews(em, page), nextCursor };
}

export async function getMyRequest(deps: UseCaseDeps, owner: Actor, id: string): Promise<RequestView> {
  const em = deps.orm.em.fork();
  const [view] = await requestViews(em, [await ownRequest(em, owner, id)]);
  return view!;
}

// ---------------------------------------------------------------- the legal team

export async function findRequest(em: EntityManager, id: string): Promise<RightsRequest> {
  const request = await em.findOne(RightsRequest, { id });
  if (!request) throw notFound('No such request.');
  return request;
}

export const legalViewOf = (view: RequestView, request: RightsRequest): LegalRequestView => ({
  ...view,
  userId: request.user ?? null,
});

/**
 * A page of rights requests, fewest days left first: the deadline in force, those not
 * confirmed yet last, then the oldest, then by id; the next starts at its `nextCursor`.
 */
export async function listLegalRequests(
  deps: UseCaseDeps,
  staff: Actor,
  query: LegalRequestQuery,
): Promise<LegalRequestList> {
  const em = deps.orm.em.fork();
  const statuses =
    query.status === 'open' ? [...OPEN_REQUEST_STATUSES] : query.status === 'all' ? null : [query.status];
  const list = statuses ? `{${statuses.join(',')}}` : null;
  const { cursor } = query;
  const matching = `(?::text[] is null or status = any(?::text[]))
        and (?::text is null or type = ?::text)
        and (?::uuid is null or user_id = ?::uuid)`;
  const matchingParams = [
    list,
    list,
    query.type ?? null,
    query.type ?? null,
    query.userId ?? null,
    query.userId ?? null,
  ];
  // 'infinity' puts the requests without a deadline after every deadline, in one row
  // comparison with the cursor's.
  const after = cursor ? [cursor.dueAt?.toISOString() ?? 'infinity', cursor.createdAt, cursor.id] : null;
  const now = new Date();
  const [ids, [counts]] = await Promise.all([
    em.execute<{ id: string }[]>(
      `select id from rights_requests
        where ${matching}
          and (?::timestamptz is null
            or (coalesce(extended_due_at, due_at, 'infinity'), created_at, id) > (?::timestamptz, ?::timestamptz, ?::uuid))
        order by coalesce(extended_due_at, due_at, 'infinity') asc, created_at asc, id asc
        limit ?`,
      [...matchingParams, after?.[0] ?? null, ...(after ?? [null, null, null]), query.limit + 1],
    ),
    // Of every request the filter matches and that is not finished, as `daysLeft` counts.
    em.execute<{ overdue: number; due_soon: number }[]>(
      `select count(*) filter (where coalesce(extended_due_at, due_at) < ?)::int as overdue,
              count(*) filter (where coalesce(extended_due_at, due_at) >= ?
                                 and coalesce(extended_due_at, due_at) < ?)::int as due_soon
         from rights_requests
        where ${matching} and status = any(?::text[])`,
      [
        now,
        now,
        new Date(now.getTime() + DUE_SOON_DAYS * DAY),
        ...matchingParams,
        `{${OPEN_REQUEST_STATUSES.join(',')}}`,
      ],
    ),
  ]);
  const rows = await em.find(RightsRequest, { id: { $in: ids.map((r) => r.id) } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const found = ids.map((r) => byId.get(r.id)).filter((r): r is RightsRequest => Boolean(r));
  const ordered = found.slice(0, query.limit);
  const last = ordered.at(-1);
  const views = await requestViews(em, ordered);
  await recordAudit(em, {
    action: 'legal.requests_listed',
    actorId: staff.id,
    actorRole: staff.role,
    details: { status: query.status, count: views.length },
  });
  return {
    requests: views.map((view, i) => legalViewOf(view, ordered[i]!)),
    nextCursor:
      ids.length > query.limit && last
        ? dueCursorOf({
            dueAt: last.extendedDueAt ?? last.dueAt ?? null,
            createdAt: last.createdAt,
            id: last.id,
          })
        : null,
    counts: { overdue: Number(counts?.overdue ?? 0), dueSoon: Number(counts?.due_soon ?? 0) },
  };
}

/** One request for the legal team; the access is audited. */
export async function getLegalRequest(
  deps: UseCaseDeps,
  staff: Actor,
  id: string,
): Promise<LegalRequestView> {
  const em = deps.orm.em.fork();
  const request = await findRequest(em, id);
  await recordAudit(em, {
    action: 'staff.viewed_privacy_request',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'privacy_request',
    targetId: request.id,
    subjectUserId: request.user ?? null,
  });
  const [view] = await requestViews(em, [request]);
  return legalViewOf(view!, request);
}
