// The unstarted sweep's batches over a table of kept records, each removed once Temporal
// answered for it: records Temporal refuses stay first in their order, and the next batch
// is read past them, so that however many there are they never hold up the rest.
import { describe, expect, it } from 'vitest';
import { ServiceError } from '@temporalio/client';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { EntityManager } from '@mikro-orm/postgresql';
import { namedIn, refusalOf, startEach } from '../../activities/sweeps/unstarted.ts';
import type { Config } from '../../config/index.ts';
import { GenerationJob, UnstartedJob } from '../../db/entities/index.ts';
import { warnOfRefusals, type UnstartedSweepResult } from '../../activities/sweeps/unstarted-work.ts';
import { tellEach } from '../../activities/sweeps/untold-signals.ts';
import {
  UNSTARTED_REFUSAL_MAX_CHARS,
  UNSTARTED_SWEEP_BATCH_SIZE,
  UNSTARTED_SWEEP_MAX_BATCHES,
} from '../../domain/generation.ts';

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
    expect(result).toEqual({
      started: 10,
      dropped: 0,
      refused: refused.length,
      firstRefusal: 'Temporal refused 0',
    });
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
    expect(result).toEqual({
      sent: others.length,
      dropped: 0,
      refused: 1,
      firstRefusal: 'Temporal refused 0',
    });
    // Temporal was asked for the refused one and the others, never for one held behind it.
    expect(table.asked).toEqual([first.id, ...others.map((r) => r.id)]);
    expect(table.rows).toEqual([first, ...behind]);
  });
});

describe('why a kept record stays', () => {
  it('gives Temporal’s answer the client wrapped, bounded in length', () => {
    const grpc = new Error('3 INVALID_ARGUMENT: WorkflowId is not set on request.');
    expect(refusalOf(new ServiceError('Failed to signal Workflow', { cause: grpc }))).toBe(
      'Failed to signal Workflow: 3 INVALID_ARGUMENT: WorkflowId is not set on request.',
    );
    expect(refusalOf(new Error('another deletion of the account runs'))).toBe(
      'another deletion of the account runs',
    );
    expect(refusalOf(new Error('x'.repeat(2 * UNSTARTED_REFUSAL_MAX_CHARS)))).toHaveLength(
      UNSTARTED_REFUSAL_MAX_CHARS,
    );
  });

  it('warns once a run for each kind with refused records, with the first one’s reason', async () => {
    const lines: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
    const logger = {
      log: (level: LogLevel, message: string, meta?: LogMetadata) => lines.push({ level, message, meta }),
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string, meta?: LogMetadata) => lines.push({ level: 'WARN', message, meta }),
      error: () => undefined,
    };
    const none = { started: 0, dropped: 0, refused: 0 };
    const result: UnstartedSweepResult = {
      jobs: { started: 3, dropped: 0, refused: 0 },
      scriptRuns: none,
      retentions: none,
      rightsRequests: { started: 0, dropped: 0, refused: 2, firstRefusal: 'another deletion runs' },
      takedowns: none,
      incidents: none,
      policyAnnouncements: none,
      marketingCampaigns: none,
      parentalConsents: none,
      subscriptionEvents: { sent: 0, dropped: 0, refused: 0 },
      signals: { sent: 1, dropped: 0, refused: 1, firstRefusal: 'no such workflow id' },
    };
    await new MockActivityEnvironment({}, { logger }).run(async () => warnOfRefusals(result));
    // Each line also carries the activity's own (its workflow, type and task queue).
    const seen = lines.map(({ level, message, meta }) => ({
      level,
      message,
      kind: meta?.kind,
      refused: meta?.refused,
      firstRefusal: meta?.firstRefusal,
      workflowType: meta?.workflowType,
    }));
    expect(seen).toEqual([
      {
        level: 'WARN',
        message: 'kept records Temporal refused stay',
        kind: 'rightsRequests',
        refused: 2,
        firstRefusal: 'another deletion runs',
        workflowType: 'test',
      },
      {
        level: 'WARN',
        message: 'kept records Temporal refused stay',
        kind: 'signals',
        refused: 1,
        firstRefusal: 'no such workflow id',
        workflowType: 'test',
      },
    ]);
  });
});

describe('what kept records name', () => {
  it('are handed on in the records’ order, whatever order the database gives the rows in', async () => {
    const config = { temporal: { namespace: 'here' } } as Config;
    const ids = Array.from({ length: 5 }, (_, i) => `job-${i}`);
    const records = ids.map((job, i) => ({ job, namespace: 'here', failedAt: new Date(1_000 * i) }));
    const asked: unknown[] = [];
    // As `in (…)` may: the rows in another order than their ids were listed.
    const em = {
      getMetadata: () => ({ find: () => ({ primaryKeys: ['job'] }) }),
      find: async (entity: unknown, where: unknown, options?: { offset?: number }) => {
        asked.push(where);
        if (entity === UnstartedJob) return records.slice(options?.offset ?? 0);
        return [...ids].reverse().map((id) => ({ id }));
      },
    } as unknown as EntityManager;
    const read = namedIn(em, UnstartedJob, config, (record) => record.job, GenerationJob);
    expect((await read(0)).map((row) => row.id)).toEqual(ids);
    expect(asked).toEqual([{ namespace: 'here' }, { id: { $in: ids } }]);
    expect((await read(3)).map((row) => row.id)).toEqual(ids.slice(3));
  });
});
