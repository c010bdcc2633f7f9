// What a take-down removes with the named content (S-TAKEDOWN, R-INTERMEDIATE), on the
// real database: everything made from it through a script project, and nothing else.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Asset,
  GenerationJob,
  ScriptProject,
  ScriptRevision,
  ScriptRevisionScene,
  ScriptScene,
} from '../../db/entities/index.ts';
import type { AssetKind } from '../../domain/retention.ts';
import { madeFrom } from '../../stores/takedown-lineage.ts';
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

async function file(userId: string, kind: AssetKind, jobId: string | null = null): Promise<string> {
  const row = em();
  const id = randomUUID();
  row.create(Asset, {
    id,
    user: userId,
    kind,
    status: 'stored',
    objectKey: `users/${userId}/${kind}/${id}`,
    jobId,
    createdAt: new Date(),
    storedAt: new Date(),
    deleteAt: new Date(Date.now() + 86_400_000),
  });
  await row.flush();
  return id;
}

async function job(userId: string, inputs: string[] = []): Promise<string> {
  const row = em();
  const made = row.create(GenerationJob, {
    user: userId,
    model: 'local-v1',
    provider: 'local',
    prompt: 'a scene',
    parameters: {
      durationSeconds: 2,
      aspectRatio: '16:9',
      resolution: '540p',
      inputs: inputs.map((assetId) => ({ assetId, role: 'reference' })),
    },
    status: 'succeeded',
    creditsQuoted: 2,
    requestHash: randomUUID().replaceAll('-', '').padEnd(64, '0'),
  });
  await row.flush();
  return made.id;
}

/** A composed revision of scenes (job, clip), with its own subtitles and voice track. */
async function revision(
  userId: string,
  number: number,
  scenes: { jobId: string; clipAssetId: string }[],
  projectId?: string,
) {
  const row = em();
  const project =
    projectId ??
    row.create(ScriptProject, {
      user: userId,
      title: 'Lineage',
      script: 'one. two.',
      scriptFormat: 'text',
      splitMethod: 'local',
      aspectRatio: '16:9',
      resolution: '540p',
      voiceLanguage: 'en',
      status: 'ready',
    }).id;
  await row.flush();
  const ids = {
    final: await file(userId, 'output'),
    subtitles: await file(userId, 'intermediate'),
    voice: await file(userId, 'intermediate'),
  };
  const made = row.create(ScriptRevision, {
    project,
    number,
    idempotencyKey: `lineage-${randomUUID()}`,
    status: 'composed',
    creditsQuoted: 0,
    aspectRatio: '16:9',
    resolution: '540p',
    burnSubtitles: false,
    voiceLanguage: 'en',
    durationSeconds: 4,
    finalAssetId: ids.final,
    subtitlesAssetId: ids.subtitles,
    voiceTrackAssetId: ids.voice,
  });
  await row.flush();
  for (const [i, scene] of scenes.entries()) {
    const sceneId = randomUUID();
    row.create(ScriptScene, {
      id: sceneId,
      project,
      position: i + 1 + number * 10,
      text: 'scene',
      durationSeconds: 2,
      modelId: 'local-v1',
      seed: 1,
    });
    await row.flush();
    row.create(ScriptRevisionScene, {
      revision: made.id,
      position: i + 1,
      sceneId,
      text: 'scene',
      durationSeconds: 2,
      modelId: 'local-v1',
      rendered: true,
      ...scene,
    });
  }
  await row.flush();
  return { project, ...ids };
}

describe('take-down lineage through script projects', () => {
  it('[S-TAKEDOWN] [R-INTERMEDIATE] an image removes the scene made from it, every composed video using that scene with its subtitles and voice track, and nothing else', async () => {
    const owner = await createAccount(platform);
    const image = await file(owner.id, 'input');
    // Scene 1 animates the image; scene 2 is clean.
    const job1 = await job(owner.id, [image]);
    const clip1 = await file(owner.id, 'intermediate', job1);
    const job2 = await job(owner.id);
    const clip2 = await file(owner.id, 'intermediate', job2);
    // Revision 1 uses both scenes; revision 2 re-uses scene 1's clip; revision 3 only the clean one.
    const r1 = await revision(owner.id, 1, [
      { jobId: job1, clipAssetId: clip1 },
      { jobId: job2, clipAssetId: clip2 },
    ]);
    const r2 = await revision(owner.id, 2, [{ jobId: job1, clipAssetId: clip1 }], r1.project);
    const r3 = await revision(owner.id, 3, [{ jobId: job2, clipAssetId: clip2 }], r1.project);

    const found = await madeFrom({ em: em(), store: platform.clients.store }, { type: 'asset', id: image });
    expect(found.jobIds).toEqual(new Set([job1]));
    expect(found.assetIds).toEqual(
      new Set([image, clip1, r1.final, r1.subtitles, r1.voice, r2.final, r2.subtitles, r2.voice]),
    );
    // Not made from the image: the clean scene and the video made only of it.
    for (const kept of [clip2, r3.final, r3.subtitles, r3.voice])
      expect(found.assetIds.has(kept)).toBe(false);
  });

  it('[S-TAKEDOWN] a composed video named on its own takes its subtitles and voice track, not the scenes another video uses', async () => {
    const owner = await createAccount(platform);
    const job1 = await job(owner.id);
    const clip1 = await file(owner.id, 'intermediate', job1);
    const r1 = await revision(owner.id, 1, [{ jobId: job1, clipAssetId: clip1 }]);
    const r2 = await revision(owner.id, 2, [{ jobId: job1, clipAssetId: clip1 }], r1.project);

    const found = await madeFrom(
      { em: em(), store: platform.clients.store },
      { type: 'asset', id: r1.final },
    );
    expect(found.assetIds).toEqual(new Set([r1.final, r1.subtitles, r1.voice]));
    expect(found.jobIds).toEqual(new Set());
    expect(found.assetIds.has(r2.final)).toBe(false);
  });
});
