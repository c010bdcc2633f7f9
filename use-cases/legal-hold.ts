// The legal team's holds (R-HOLD): a hold on a person or on one file suspends every
// deletion it covers. Placing and releasing are recorded with their reasons and audited.
// Every deletion checks the holds where it happens, so a placement tells only the
// person's account deletion, which pauses visibly. A release tells the retention
// workflows whose deletion it deferred, and the account deletion, so they carry on at
// once. Either is made, and answered, while Temporal does not answer: its signals are
// sent by the unstarted sweep.
import type { EntityManager } from '@mikro-orm/postgresql';
import { holdChangeSignals } from '../clients/legal-hold.ts';
import { Asset, LegalHold, User } from '../db/entities/index.ts';
import type {
  HoldListQuery,
  LegalHoldChange,
  LegalHoldList,
  LegalHoldView,
  PlaceHoldBody,
  ReleaseHoldBody,
} from '../domain/contracts/legal-hold.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import { holdChange, holdSubject } from '../stores/legal-hold.ts';
import { newestPage } from '../stores/time-pages.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';

function holdView(hold: LegalHold): LegalHoldView {
  return {
    id: hold.id,
    scope: hold.assetId ? 'asset' : 'user',
    userId: hold.userId ?? null,
    subjectPseudonym: hold.subjectPseudonym ?? null,
    assetId: hold.assetId ?? null,
    reason: hold.reason,
    placedBy: hold.placedBy,
    placedAt: hold.placedAt.toISOString(),
    active: !hold.releasedAt,
    releasedBy: hold.releasedBy ?? null,
    releasedAt: hold.releasedAt ? hold.releasedAt.toISOString() : null,
    releaseReason: hold.releaseReason ?? null,
  };
}

/** Records a hold placed or released, naming the person it is about. */
async function auditHoldChange(
  em: EntityManager,
  staff: Actor,
  action: 'legal.hold_placed' | 'legal.hold_released',
  hold: LegalHold,
): Promise<void> {
  const subjectUserId = await holdSubject(em, hold);
  await recordAudit(em, {
    action,
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'legal_hold',
    targetId: hold.id,
    subjectUserId,
    details: { scope: hold.assetId ? 'asset' : 'user', assetId: hold.assetId ?? null },
  });
}

/** Tells the workflows the hold's change concerns; the retention workflows that heard it. */
async function tellHoldChange(deps: UseCaseDeps, hold: LegalHold): Promise<number> {
  return tell(deps, holdChangeSignals(await holdChange(deps.orm.em.fork(), hold)));
}

export async function placeHold(
  deps: UseCaseDeps,
  staff: Actor,
  body: PlaceHoldBody,
): Promise<LegalHoldChange> {
  const em = deps.orm.em.fork();
  if (body.assetId) {
    const asset = await em.findOne(Asset, { id: body.assetId });
    if (!asset) throw notFound('No such file.');
    if (asset.status === 'deleted') throw conflict('asset_deleted', 'This file is already deleted.');
  } else if (!(await em.findOne(User, { id: body.userId! }, { fields: ['id'] }))) {
    throw notFound('No such account.');
  }
  const hold = em.create(LegalHold, {
    userId: body.userId ?? null,
    assetId: body.assetId ?? null,
    reason: body.reason,
    placedBy: staff.id,
    placedAt: new Date(),
  });
  await em.flush();
  await auditHoldChange(em, staff, 'legal.hold_placed', hold);
  // An account deletion of the person pauses (R-HOLD); one that is not running ignores it.
  await tellHoldChange(deps, hold);
  return { ...holdView(hold), workflowsSignalled: 0 };
}

export async function releaseHold(
  deps: UseCaseDeps,
  staff: Actor,
  holdId: string,
  body: ReleaseHoldBody,
): Promise<LegalHoldChange> {
  const em = deps.orm.em.fork();
  if (!(await em.findOne(LegalHold, { id: holdId }, { fields: ['id'] })))
    throw notFound('No such legal hold.');
  const released = await em.nativeUpdate(
    LegalHold,
    { id: holdId, releasedAt: null },
    { releasedAt: new Date(), releasedBy: staff.id, releaseReason: body.reason },
  );
  if (released === 0) throw conflict('hold_released', 'This legal hold is already released.');
  const hold = await deps.orm.em.fork().findOneOrFail(LegalHold, { id: holdId });
  await auditHoldChange(em, staff, 'legal.hold_released', hold);
  // Committed before signalling: the deletion that wakes up finds the hold released.
  return { ...holdView(hold), workflowsSignalled: await tellHoldChange(deps, hold) };
}

/** A page of holds, the latest placed first; the next starts at its `nextCursor`. */
export async function listHolds(deps: UseCaseDeps, query: HoldListQuery): Promise<LegalHoldList> {
  const { page, nextCursor } = await newestPage(
    deps.orm.em.fork(),
    LegalHold,
    {
      ...(query.userId ? { userId: query.userId } : {}),
      ...(query.assetId ? { assetId: query.assetId } : {}),
      ...(query.active === 'true' ? { releasedAt: null } : {}),
      ...(query.active === 'false' ? { releasedAt: { $ne: null } } : {}),
    },
    query,
    'placedAt',
  );
  return { holds: page.map(holdView), nextCursor };
}
