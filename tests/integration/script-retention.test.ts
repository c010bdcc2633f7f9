// R-INTERMEDIATE with real timers (shortened by configuration): a project's scene clips,
// voice tracks and subtitles go when the final video that uses them goes, and a clip a
// newer revision re-uses stays until that newer video's timer. Videos are kept 30 s here
// and intermediates no final video uses 20 s, so a clip's first timer fires before any
// video's and has to wait on: the path the 7-day production values take.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, DeletionProof } from '../../db/entities/index.ts';
import { SECOND } from '../../domain/time.ts';
import { retentionStateQuery } from '../../workflows/retention.ts';
import { signedIn } from '../support/accounts.ts';
import { objectExists, waitForDeleted } from '../support/assets.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createProject, quoteAndRun, waitForProject } from '../support/script.ts';

const VIDEO_MS = 30 * SECOND;
const UNUSED_MS = 20 * SECOND;
/** How late after its time a deletion may be (a retention worker's task, a local activity). */
const LATENESS_MS = 5 * SECOND;

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({
    env: { DURATION_OVERRIDES: `output=${VIDEO_MS},intermediate=${UNUSED_MS}` },
  });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const asset = (id: string) => em().findOneOrFail(Asset, { id });

describe('intermediate files on their final video timer', () => {
  it('[R-INTERMEDIATE] are all gone when their final video is, a re-used clip only with the newest video using it', async () => {
    const { client } = await signedIn(platform, { credits: 50 });
    const project = await createProject(client, {
      title: 'Timers',
      script: 'A red door.\n\nA blue window.',
      resolution: '540p',
    });
    await quoteAndRun(client, project.id);
    const first = await waitForProject(client, project.id);
    expect(first.status).toBe('ready');
    await client.patch(`/api/scripts/${project.id}/scenes/${first.scenes[1]!.id}`, {
      text: 'A green window.',
    });
    await quoteAndRun(client, project.id);
    expect((await waitForProject(client, project.id)).latestRevision).toBe(2);

    const { revisions } = await json(await client.get(`/api/scripts/${project.id}/revisions`));
    const [rev2, rev1] = revisions;
    const filesOf = (r: any): string[] => [
      ...r.scenes.map((s: { clipAssetId: string }) => s.clipAssetId),
      r.voiceTrack.assetId,
      r.subtitles.assetId,
    ];
    const shared = rev1.scenes[0].clipAssetId as string;
    expect(rev2.scenes[0].clipAssetId).toBe(shared);
    const onlyFirst = filesOf(rev1).filter((id) => id !== shared);
    const second = filesOf(rev2);
    const t1 = Date.parse(rev1.video.deleteAt);
    const t2 = Date.parse(rev2.video.deleteAt);
    expect(t2).toBeGreaterThan(t1);

    // The first video's timer: it goes, and with it every file only it used.
    await waitForDeleted(platform, rev1.video.assetId, VIDEO_MS + 30 * SECOND);
    for (const id of onlyFirst) {
      const deleted = await waitForDeleted(platform, id, 15 * SECOND);
      expect(deleted.deletedAt!.getTime()).toBeGreaterThanOrEqual(t1);
      expect(deleted.deletedAt!.getTime() - t1).toBeLessThan(LATENESS_MS);
      expect(await objectExists(platform, deleted.objectKey)).toBe(false);
      expect(await em().count(DeletionProof, { assetId: id, reason: 'timer' })).toBe(1);
    }
    // The clip the second revision re-uses outlived its own first timer and the first video.
    const kept = await asset(shared);
    expect(kept.status).toBe('stored');
    expect(kept.deleteAt!.getTime()).toBe(t2);
    expect(kept.storedAt!.getTime() + UNUSED_MS).toBeLessThan(Date.now());

    // The second video's timer: it goes, and every file it used, the re-used clip too.
    await waitForDeleted(platform, rev2.video.assetId, t2 - Date.now() + 30 * SECOND);
    for (const id of second) {
      const deleted = await waitForDeleted(platform, id, 15 * SECOND);
      expect(deleted.deletedAt!.getTime()).toBeGreaterThanOrEqual(t2);
      expect(deleted.deletedAt!.getTime() - t2).toBeLessThan(LATENESS_MS);
      expect(await objectExists(platform, deleted.objectKey)).toBe(false);
    }
    // Its retention workflow waited on to the newer video's time rather than end at its first.
    const state = await platform.clients.temporal.client.workflow
      .getHandle(`retention-${shared}`)
      .query(retentionStateQuery);
    expect(state).toMatchObject({ status: 'deleted', reason: 'timer', deleteAt: new Date(t2).toISOString() });
  }, 180_000);
});
