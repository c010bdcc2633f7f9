// The unstarted sweep's batches over a table of kept records, each removed once Temporal
// answered for it: records Temporal refuses stay first in their order, and the next batch
// is read past them, so that however many there are they never hold up the rest.
import { describe, expect, it } from 'vitest';
import { startEach } from '../../activities/sweeps/unstarted.ts';
import { tellEach } from '../../activities/sweeps/untold-signals.ts';
import { UNSTARTED_SWEEP_BATCH_SIZE, UNSTARTED_SWEEP_MAX_BATCHES } from '../../domain/generation.ts';

interface Kept {
  id: number;
  workflowId: string;
  refused: boolean;
}

/** Kept records in their order, read a batch at a time as `waitingIn` reads its table. */
function keptTable(records: Kept[]) {
  const rows = [...records];
  const asked: number[] = [];
  return {
    rows,
    asked,
    read: async (offset: number) => rows.slice(offset, offset + UNSTARTED_SWEEP_BATCH_SIZE),
    answer: async (record: Kept) => {
      asked.push(record.id);
      if (record.refused) throw new Error(`Temporal refused ${record.id}`);
    },
    forget: async (record: Kept) => {
      rows.splice(rows.indexOf(record), 1);
    },
  };
}

const records = (count: number, from: number, shape: Partial<Kept> = {}): Kept[] =>
  Array.from({ length: count }, (_, i) => ({
    id: from + i,
    workflowId: `workflow-${from + i}`,
    refused: false,
    ...shape,
  }));

describe('the unstarted sweep, batch by batch', () => {
  it('starts the records behind more refused ones than a batch holds, and leaves the refused in place', async () => {
    const refused = records(UNSTARTED_SWEEP_BATCH_SIZE + 100, 0, { refused: true });
    const table = keptTable([...refused, ...records(10, 10_000)]);
    const result = await startEach(table.read, {
      waits: () => true,
      start: table.answer,
      forget: table.forget,
    });
    expect(result).toEqual({ started: 10, dropped: 0, refused: refused.length });
    expect(table.rows).toEqual(refused);
  });

  it('answers a batch a run, and leaves the rest for the next', async () => {
    const table = keptTable(records(3 * UNSTARTED_SWEEP_BATCH_SIZE, 0));
    const result = await startEach(table.read, {
      waits: () => true,
      start: table.answer,
      forget: table.forget,
    });
    expect(result).toEqual({ started: UNSTARTED_SWEEP_BATCH_SIZE, dropped: 0, refused: 0 });
    expect(table.rows).toHaveLength(2 * UNSTARTED_SWEEP_BATCH_SIZE);
    expect(table.rows[0]!.id).toBe(UNSTARTED_SWEEP_BATCH_SIZE);
  });

  it('asks Temporal for no more than its batches a run when it refuses everything', async () => {
    const table = keptTable(
      records((UNSTARTED_SWEEP_MAX_BATCHES + 2) * UNSTARTED_SWEEP_BATCH_SIZE, 0, { refused: true }),
    );
    const result = await startEach(table.read, {
      waits: () => true,
      start: table.answer,
      forget: table.forget,
    });
    expect(result.refused).toBe(UNSTARTED_SWEEP_MAX_BATCHES * UNSTARTED_SWEEP_BATCH_SIZE);
    expect(table.asked).toHaveLength(UNSTARTED_SWEEP_MAX_BATCHES * UNSTARTED_SWEEP_BATCH_SIZE);
  });

  it('tells the signals behind a refused workflow’s, holding that workflow’s later ones behind it in every batch', async () => {
    const refusedWorkflow = { workflowId: 'refused-workflow' };
    const first = { id: 0, ...refusedWorkflow, refused: true };
    const behind = records(UNSTARTED_SWEEP_BATCH_SIZE + 50, 1, refusedWorkflow);
    const others = records(5, 10_000);
    const table = keptTable([first, ...behind, ...others]);
    const result = await tellEach(table.read, {
      workflowOf: (record) => record.workflowId,
      tell: async (record) => (await table.answer(record), true),
      forget: table.forget,
    });
    expect(result).toEqual({ sent: others.length, dropped: 0, refused: 1 });
    // Temporal was asked for the refused one and the others, never for one held behind it.
    expect(table.asked).toEqual([first.id, ...others.map((r) => r.id)]);
    expect(table.rows).toEqual([first, ...behind]);
  });
});
