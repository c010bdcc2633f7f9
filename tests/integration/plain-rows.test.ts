// A job's status read (getJob) takes the job's row as plain data, not through the ORM's
// entity mapping (stores/plain-rows.ts). It must read every column as the entity does,
// and so answer exactly the view the entity gives, whichever columns are set.
import { randomUUID } from 'node:crypto';
import { DecimalType, ReferenceKind, UuidType, type MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, GenerationJob } from '../../db/entities/index.ts';
import { DAY } from '../../domain/time.ts';
import { plainRow } from '../../stores/plain-rows.ts';
import { getJob, viewOf } from '../../use-cases/generation-view.ts';
import { createAccount } from '../support/accounts.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();

/** A job with every column set (times with microseconds, as PostgreSQL keeps them). */
async function everyColumnSet(userId: string) {
  const outputAssetId = randomUUID();
  const at = (ms: number) => new Date(Date.UTC(2026, 11, 3, 5, 34, 43) + ms);
  await em().insert(Asset, {
    id: outputAssetId,
    user: userId,
    kind: 'output',
    status: 'stored',
    objectKey: `users/${userId}/output/${outputAssetId}`,
    contentType: 'video/mp4',
    sizeBytes: 1234,
    createdAt: at(0),
    storedAt: at(0),
    deleteAt: at(30 * DAY),
  });
  const id = randomUUID();
  await em().insert(GenerationJob, {
    id,
    user: userId,
    idempotencyKey: 'plain-rows',
    model: 'local-v1',
    provider: 'local',
    originalModel: 'luma-ray-2',
    prompt: 'a lighthouse at dusk, "quoted", émigré ✓',
    parameters: { durationSeconds: 4, aspectRatio: '16:9', inputs: [], nested: { a: [1, 2.5, null] } },
    status: 'succeeded',
    statusChangedAt: at(9),
    statusMessage: 'held for a person',
    progress: 0.625,
    queuePosition: 3,
    etaSeconds: 42,
    providerTaskId: 'task-1',
    creditsQuoted: 40,
    creditsCharged: 38,
    requestHash: 'a'.repeat(64),
    quoteId: randomUUID(),
    moderationVerdict: 'allow',
    moderationCategories: ['none'],
    reviewedBy: randomUUID(),
    reviewedAt: at(5),
    reviewReason: 'fine',
    submitAttemptedAt: at(2),
    submittedAt: at(3),
    parentJobId: randomUUID(),
    revisionKind: 'extend',
    outputAssetId,
    scriptProjectId: null,
    createdAt: at(0),
    startedAt: at(1),
    finishedAt: at(8),
  });
  // Microseconds, which the entity's Date drops: the plain reader must drop them the same way.
  await em()
    .getConnection()
    .execute(
      `update generation_jobs set created_at = created_at + interval '123 microseconds',
            finished_at = finished_at + interval '999 microseconds' where id = ?`,
      [id],
    );
  return id;
}

describe('a job read as plain data', () => {
  it('holds every column the entity holds, with the same values, set or not', async () => {
    const user = await createAccount(platform);
    const full = await everyColumnSet(user.id);
    const bare = randomUUID();
    await em().insert(GenerationJob, {
      id: bare,
      user: user.id,
      model: 'local-v1',
      provider: 'local',
      prompt: 'nothing else set',
      parameters: {},
      creditsQuoted: 4,
      requestHash: 'b'.repeat(64),
      createdAt: new Date(),
    });
    const persisted = platform.clients.orm
      .getMetadata()
      .get(GenerationJob)
      .props.filter((p) => p.persist !== false && p.fieldNames?.length === 1)
      .map((p) => p.name);
    for (const id of [full, bare]) {
      const [row] = await em()
        .getConnection()
        .execute<{ job: Record<string, unknown> }[]>(
          'select to_jsonb(j) as job from generation_jobs j where id = ?',
          [id],
        );
      const plain = plainRow(platform.clients.orm, GenerationJob, row!.job) as Record<string, unknown>;
      const entity = (await em().findOneOrFail(GenerationJob, { id })) as unknown as Record<string, unknown>;
      expect(Object.keys(plain).sort()).toEqual([...persisted].sort());
      for (const name of persisted) expect({ [name]: plain[name] }).toEqual({ [name]: entity[name] ?? null });
    }
  });

  it('refuses an entity with a column whose JSON form is not what the entity holds', () => {
    // A decimal is a JSON number in the row but a string in the entity.
    const meta = {
      className: 'Price',
      props: [
        { name: 'id', fieldNames: ['id'], kind: ReferenceKind.SCALAR, customType: new UuidType() },
        { name: 'amount', fieldNames: ['amount'], kind: ReferenceKind.SCALAR, customType: new DecimalType() },
      ],
    };
    const orm = { getMetadata: () => ({ get: () => meta }) } as unknown as MikroORM;
    expect(() => plainRow(orm, GenerationJob, { id: randomUUID(), amount: 1.5 })).toThrow(
      /Price\.amount \(DecimalType\) is not read as plain data/,
    );
  });

  it("answers a job's status read with exactly the view its entity gives", async () => {
    const user = await createAccount(platform);
    const id = await everyColumnSet(user.id);
    const actor = { id: user.id, role: user.role };
    const fromEntity = await viewOf(em(), await em().findOneOrFail(GenerationJob, { id }));
    expect(await getJob(platform.clients, actor, id)).toEqual(fromEntity);
    expect(fromEntity.output?.deleteAt).toBeTruthy();
    expect(fromEntity.finishedAt).toBe('2026-12-03T05:34:43.008Z');
  });
});
