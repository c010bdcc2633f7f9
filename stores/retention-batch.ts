// Due deletions in batches: when many retention timers fire together, their local
// activities share their database statements and store requests (activities/retention.ts
// groups them). A batch reads every asset's state in one query, marks the plain ones
// `deleting` in one update, deletes their objects with one DeleteObjects request (each
// object still looked at before and checked gone after, on its own), and writes their
// proofs, assets' rows and audit events in one transaction (stores/retention-proof.ts).
// Whatever is not plain (held, moved, already deleted, an owner other than the lookup
// assumed) goes the one-at-a-time way (stores/retention.ts), and anything that fails
// fails alone: the other deletions of its batch stand.
import type { MikroORM } from '@mikro-orm/postgresql';
import { Asset } from '../db/entities/index.ts';
import { deleteObjectsVerified } from '../platform/objects.ts';
import type { ObjectStore } from '../platform/s3.ts';
import {
  deleted,
  deleteLookedUp,
  deletionOwner,
  deletionRecord,
  lookUpDeletions,
  movedFrom,
  recordedOutcome,
  type AssetDeletion,
  type AssetDeletionRequest,
  type DeletionState,
} from './retention.ts';
import { recordDeletions } from './retention-proof.ts';

export type DueDeletionRequest = AssetDeletionRequest & { dueAt: string };
/** What a due object's deletion came to; `postponed` only for an intermediate whose time moved (R-INTERMEDIATE). */
export type DueDeletion = AssetDeletion | { status: 'postponed'; deleteAt: string };

type Deps = { orm: MikroORM; store: ObjectStore };

type Settled<T> = Promise<PromiseSettledResult<T>>;

/** Settled as soon as it is made, so a failure waiting for the rest of its batch is never unhandled. */
function settle<T>(promise: Promise<T>): Settled<T> {
  return promise.then(
    (value) => ({ status: 'fulfilled', value }),
    (reason: unknown) => ({ status: 'rejected', reason }),
  );
}

/** Deletes due objects with proof, or records the holds that defer them; answers in the requests' order. */
export async function deleteDueAssets(
  deps: Deps,
  inputs: DueDeletionRequest[],
): Promise<PromiseSettledResult<DueDeletion>[]> {
  const states = await lookUpDeletions(deps.orm.em.fork(), inputs);
  const outcomes: Settled<DueDeletion>[] = [];
  const plain: number[] = [];
  const batched = new Set<string>();
  inputs.forEach((input, i) => {
    const state = states[i]!;
    const later = state.asset && movedFrom(state.asset, input.dueAt);
    if (later) outcomes[i] = settle(Promise.resolve({ status: 'postponed', deleteAt: later }));
    else if (state.proof) outcomes[i] = settle(Promise.resolve(deleted(state.proof)));
    else if (isPlain(input, state) && !batched.has(input.assetId)) {
      batched.add(input.assetId);
      plain.push(i);
    } else outcomes[i] = settle(deleteLookedUp(deps, deps.orm.em.fork(), input, state));
  });
  const together = await deleteTogether(
    deps,
    plain.map((i) => ({ input: inputs[i]!, state: states[i]! })),
  ).catch((err: unknown) => plain.map(() => Promise.resolve({ status: 'rejected', reason: err } as const)));
  plain.forEach((i, n) => (outcomes[i] = together[n]!));
  return Promise.all(outcomes);
}

/** No hold on it, as its owner was looked up: nothing to defer or look at again. */
function isPlain(input: AssetDeletionRequest, state: DeletionState): boolean {
  return state.holdIds.length === 0 && deletionOwner(input, state).ownerId === state.holdsFor;
}

async function deleteTogether(
  deps: Deps,
  items: { input: AssetDeletionRequest; state: DeletionState }[],
): Promise<Settled<AssetDeletion>[]> {
  if (items.length === 0) return [];
  const em = deps.orm.em.fork();
  const marking = items.filter(({ state }) => state.asset && state.asset.status !== 'deleting');
  if (marking.length > 0) {
    await em.nativeUpdate(
      Asset,
      { id: { $in: marking.map(({ input }) => input.assetId) }, status: { $nin: ['deleted', 'deleting'] } },
      { status: 'deleting' },
    );
  }
  const deletions = await deleteObjectsVerified(
    deps.store,
    items.map(({ input, state }) => deletionOwner(input, state).objectKey),
  );
  const done = items.flatMap((item, i) => {
    const deletion = deletions[i]!;
    return deletion.status === 'fulfilled' ? [{ ...item, deletion: deletion.value, at: i }] : [];
  });
  const recorded = await recordDeletions(
    em,
    done.map(({ input, state, deletion }) => {
      const record = deletionRecord(input, state, deletion);
      return { ...record, fields: { ...record.fields, ownerPseudonym: state.ownerPseudonym } };
    }),
  );
  const recordOf = new Map(done.map(({ at }, n) => [at, recorded[n]!]));
  return deletions.map((deletion, i) => {
    if (deletion.status === 'rejected') return Promise.resolve(deletion);
    const record = recordOf.get(i)!;
    if (record.status === 'rejected') return Promise.resolve(record);
    return settle(recordedOutcome(em, record.value, items[i]!.input, deletion.value));
  });
}
