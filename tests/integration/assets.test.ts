import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, AuditEvent, DeletionProof, User } from '../../db/entities/index.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import {
  DOWNLOAD_URL_TTL_SECONDS,
  MAX_IMAGE_UPLOAD_BYTES,
  MAX_UPLOAD_BYTES,
} from '../../domain/retention.ts';
import { DAY } from '../../domain/time.ts';
import { registerTempAsset } from '../../activities/generation/render.ts';
import { deleteAssetNow } from '../../stores/retention.ts';
import { verifyDeletionProof } from '../../stores/retention-proof.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import {
  eventually,
  loadAsset,
  media,
  objectEncryption,
  objectExists,
  objectsUnder,
  retentionFirstTaskAt,
  storeAsset,
  uploadBytes,
  waitForDeleted,
  type MediaFixture,
} from '../support/assets.ts';
import { TestClient } from '../support/client.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

// Production durations (no DURATION_OVERRIDES): this file checks what the timers are set to;
// retention.test.ts watches shortened timers fire.
let platform: TestPlatform;
let creator: TestAccount;
beforeAll(async () => {
  platform = await startTestPlatform();
  creator = await signedIn(platform);
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const retention = (assetId: string) =>
  platform.clients.temporal.client.workflow.getHandle(`retention-${assetId}`);

/** The asset's retention runs its first task at its delete-at (within the start's own latency). */
async function expectFirstTaskAt(assetId: string, deleteAt: Date) {
  const firstTask = (await retentionFirstTaskAt(platform, assetId)).getTime();
  expect(firstTask).toBeGreaterThanOrEqual(deleteAt.getTime());
  expect(firstTask - deleteAt.getTime()).toBeLessThan(5_000);
}

async function expectNothingStored(userId: string) {
  expect(await em().count(Asset, { user: userId })).toBe(0);
  const left = await objectsUnder(platform, `users/${userId}/`);
  expect(left.keys).toEqual([]);
  expect(left.multipart).toBe(0);
}

describe('uploads', () => {
  const accepted: [MediaFixture, string][] = [
    ['jpg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
    ['mp4', 'video/mp4'],
    ['webm', 'video/webm'],
    ['mov', 'video/quicktime'],
    ['mp3', 'audio/mpeg'],
    ['wav', 'audio/wav'],
    ['ogg', 'audio/ogg'],
    ['m4a', 'audio/mp4'],
  ];

  it('[R-IN-30D] [R-CRYPTO] stores every accepted format, typed from its bytes, encrypted with AES256', async () => {
    const { user, client } = await signedIn(platform);
    for (const [format, contentType] of accepted) {
      const bytes = await media(format);
      // A misleading name and declared type: only the bytes decide.
      const res = await uploadBytes(platform, client, bytes, {
        filename: 'notes.txt',
        declaredType: 'text/plain',
      });
      expect(res.status, format).toBe(201);
      const body = await json(res);
      expect(body).toMatchObject({
        kind: 'input',
        status: 'stored',
        contentType,
        sizeBytes: bytes.length,
        sha256: sha256(bytes),
        legalHold: false,
      });
      const row = await em().findOneOrFail(Asset, { id: body.id });
      expect(row.objectKey).toBe(`users/${user.id}/inputs/${body.id}`);
      expect(await objectEncryption(platform, row.objectKey)).toBe('AES256');
    }
  });

  it('[R-IN-30D] starts a retention workflow whose timer is the policy value of 30 days at time scale 1', async () => {
    const res = await uploadBytes(platform, creator.client, await media('png'));
    expect(res.status).toBe(201);
    const body = await json(res);
    const storedAt = new Date(body.storedAt).getTime();
    expect(RETENTION_POLICY.input.keepMs).toBe(30 * DAY);
    expect(new Date(body.deleteAt).getTime() - storedAt).toBe(RETENTION_POLICY.input.keepMs);

    const handle = retention(body.id);
    // Started with its first task held back to the delete-at: no code runs before then.
    await expectFirstTaskAt(body.id, new Date(body.deleteAt));
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.searchAttributes.DueAt).toEqual([new Date(body.deleteAt)]);
    expect(description.taskQueue).toBe('retention');
    expect(description.searchAttributes.UserId).toEqual([creator.user.id]);
    expect(description.searchAttributes.AssetKind).toEqual(['input']);
  });

  it('[R-OUT-7D] an output gets a retention workflow whose timer is the policy value of 7 days', async () => {
    const output = await storeAsset(platform, creator.user.id, { kind: 'output' });
    expect(RETENTION_POLICY.output.keepMs).toBe(7 * DAY);
    expect(output.deleteAt!.getTime() - output.storedAt!.getTime()).toBe(7 * DAY);
    await expectFirstTaskAt(output.id, output.deleteAt!);
    const description = await retention(output.id).describe();
    expect(description.searchAttributes.AssetKind).toEqual(['output']);
  });

  it('[R-IN-30D] refuses files whose bytes are not an accepted type, and stores nothing', async () => {
    const { user, client } = await signedIn(platform);
    const cases: [Uint8Array, string, string][] = [
      [await media('gif'), 'photo.png', 'image/png'],
      [randomBytes(50_000), 'clip.mp4', 'video/mp4'],
      [Buffer.from('just some text pretending to be a picture'), 'face.jpg', 'image/jpeg'],
      // A PDF dressed up as a WebP image.
      [Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), 'scan.webp', 'image/webp'],
    ];
    for (const [bytes, filename, declaredType] of cases) {
      const res = await uploadBytes(platform, client, bytes, { filename, declaredType });
      expect(res.status, filename).toBe(415);
      const body = await json(res);
      expect(body.error.code).toBe('unsupported_file_type');
      expect(body.error.message).toMatch(/JPEG, PNG, WebP images/);
    }
    const empty = await uploadBytes(platform, client, new Uint8Array(0));
    expect(empty.status).toBe(400);
    await expectNothingStored(user.id);
  });

  it('[R-IN-30D] refuses an oversized upload with 413 and leaves no row, object or multipart part behind', async () => {
    const { user, client } = await signedIn(platform);
    const png = await media('png');
    // A real PNG start, then enough bytes to pass the image limit after several S3 parts.
    const big = Buffer.concat([png, Buffer.alloc(MAX_IMAGE_UPLOAD_BYTES + 1 - png.length + 1024)]);
    const res = await uploadBytes(platform, client, big, { filename: 'huge.png', declaredType: 'image/png' });
    expect(res.status).toBe(413);
    const body = await json(res);
    expect(body.error.code).toBe('file_too_large');
    expect(body.error.message).toMatch(/at most 20 MB/);
    await expectNothingStored(user.id);
  });

  it('refuses a request declaring more than the largest upload before reading it', async () => {
    const url = new URL(`${platform.api.url}/api/assets`);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            cookie: [...creator.client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
            'x-csrf-token': creator.client.csrfToken!,
            'x-forwarded-for': creator.client.ip,
            'content-type': 'multipart/form-data; boundary=x',
            'content-length': String(MAX_UPLOAD_BYTES * 2),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            resolve({ status: res.statusCode!, body: text });
            req.destroy();
          });
        },
      );
      req.on('error', reject);
      req.write('--x\r\n');
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('file_too_large');
  });

  it('refuses a body that is not multipart, or multipart without a file', async () => {
    const notMultipart = await creator.client.post('/api/assets', { file: 'aGVsbG8=' });
    expect(notMultipart.status).toBe(415);
    expect((await json(notMultipart)).error.code).toBe('multipart_required');

    const form = new FormData();
    form.append('title', 'no file here');
    const headers: Record<string, string> = {
      cookie: [...creator.client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-csrf-token': creator.client.csrfToken!,
      'x-forwarded-for': creator.client.ip,
    };
    const noFile = await fetch(`${platform.api.url}/api/assets`, { method: 'POST', headers, body: form });
    expect(noFile.status).toBe(400);
  });

  it('refuses multipart without its boundary as the request’s fault (400), not the store’s (a 5xx)', async () => {
    // Found by the API fuzz test: busboy throws on such a Content-Type, which was answered 503.
    const { user, client } = await signedIn(platform);
    const res = await fetch(`${platform.api.url}/api/assets`, {
      method: 'POST',
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'x-csrf-token': client.csrfToken!,
        'x-forwarded-for': client.ip,
        'content-type': 'multipart/form-data',
      },
      body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nabc\r\n--x--\r\n',
    });
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error.code).toBe('invalid_request');
    expect(error.fields).toEqual([expect.objectContaining({ field: 'Content-Type' })]);
    await expectNothingStored(user.id);
  });

  it('[D-RESTRICT] refuses uploads from a restricted account and says why; unverified accounts too', async () => {
    const { user, client } = await signedIn(platform);
    await em().nativeUpdate(User, { id: user.id }, { restrictedAt: new Date() });
    const res = await uploadBytes(platform, client, await media('png'));
    expect(res.status).toBe(403);
    const body = await json(res);
    expect(body.error.code).toBe('processing_restricted');
    expect(body.error.message).toMatch(/restrict processing/);
    await expectNothingStored(user.id);

    const unverified = await signedIn(platform, { verified: false });
    const refused = await uploadBytes(platform, unverified.client, await media('png'));
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.code).toBe('email_unverified');

    const anonymous = new TestClient(platform.api.url);
    await anonymous.refreshCsrf();
    expect((await uploadBytes(platform, anonymous, await media('png'))).status).toBe(401);
  });
});

describe('downloads and deletion', () => {
  it('gives only the owner a short-lived download link; anybody else gets 404', async () => {
    const bytes = await media('jpg');
    const uploaded = await json(await uploadBytes(platform, creator.client, bytes));
    const res = await creator.client.get(`/api/assets/${uploaded.id}/download`);
    expect(res.status).toBe(200);
    const { url, expiresAt } = await json(res);
    const lifetime = new Date(expiresAt).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(DOWNLOAD_URL_TTL_SECONDS * 1000);
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe(String(DOWNLOAD_URL_TTL_SECONDS));
    const file = await fetch(url);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);

    const other = await signedIn(platform);
    for (const path of [`/api/assets/${uploaded.id}`, `/api/assets/${uploaded.id}/download`]) {
      const answer = await other.client.get(path);
      expect(answer.status, path).toBe(404);
    }
    expect((await other.client.delete(`/api/assets/${uploaded.id}`)).status).toBe(404);
    expect((await other.client.get(`/api/assets/${randomUUID()}`)).status).toBe(404);
    expect(await objectExists(platform, `users/${creator.user.id}/inputs/${uploaded.id}`)).toBe(true);
  });

  it('[R-IN-EARLY] [R-PROOF] deletes an upload at once on request; the old link fails and a proof remains', async () => {
    const bytes = await media('webp');
    const uploaded = await json(await uploadBytes(platform, creator.client, bytes));
    const { url } = await json(await creator.client.get(`/api/assets/${uploaded.id}/download`));

    const res = await creator.client.delete(`/api/assets/${uploaded.id}`);
    expect(res.status).toBe(202);
    expect(['deleting', 'deleted']).toContain((await json(res)).status);
    const deleted = await waitForDeleted(platform, uploaded.id, 15_000);
    expect(deleted.deletionReason).toBe('user');
    expect(await objectExists(platform, deleted.objectKey)).toBe(false);

    // The link issued before is dead, and no new one is given.
    expect((await fetch(url)).status).toBe(404);
    const again = await creator.client.get(`/api/assets/${uploaded.id}/download`);
    expect(again.status).toBe(410);
    expect((await json(again)).error.code).toBe('asset_deleted');
    expect((await creator.client.delete(`/api/assets/${uploaded.id}`)).status).toBe(410);

    const proof = await em().findOneOrFail(DeletionProof, { assetId: uploaded.id });
    expect(proof).toMatchObject({
      objectKey: deleted.objectKey,
      kind: 'input',
      ownerId: creator.user.id,
      reason: 'user',
      requestedBy: creator.user.id,
      objectExisted: true,
      contentSha256: sha256(bytes),
      sizeBytes: bytes.length,
      verification: 'HeadObject: 404 Not Found',
    });
    expect(proof.verifiedAt.getTime()).toBeGreaterThanOrEqual(proof.deletedAt.getTime());
    expect(proof.deletedAt.getTime()).toBeGreaterThanOrEqual(proof.requestedAt.getTime());
    expect(verifyDeletionProof(proof)).toBe(true);
    expect(verifyDeletionProof({ ...proof, reason: 'timer' })).toBe(false);

    const audit = await em().find(AuditEvent, { action: 'asset.deleted', targetId: uploaded.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ reason: 'user', proofId: proof.id });

    const state = await retention(uploaded.id).result();
    expect(state).toMatchObject({ status: 'deleted', reason: 'user', proofId: proof.id });
  });

  it('[R-PROOF] keeps proofs append-only', async () => {
    const asset = await storeAsset(platform, creator.user.id, { kind: 'output' });
    await creator.client.delete(`/api/assets/${asset.id}`);
    await waitForDeleted(platform, asset.id, 15_000);
    const conn = platform.clients.orm.em.getConnection();
    await expect(
      conn.execute(`update deletion_proofs set reason = 'timer' where asset_id = ?`, [asset.id]),
    ).rejects.toThrow(/append-only/);
    await expect(conn.execute(`delete from deletion_proofs where asset_id = ?`, [asset.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(conn.execute('truncate deletion_proofs')).rejects.toThrow(/append-only/);
    // The audit log's own trigger still holds after the storage migration re-created it.
    await expect(conn.execute(`delete from audit_events where target_id = ?`, [asset.id])).rejects.toThrow(
      /append-only/,
    );
  });
});

describe('listing', () => {
  it('lists my files newest first, page by page, filtered by kind; never anybody else’s', async () => {
    const { user, client } = await signedIn(platform);
    const stored: Asset[] = [];
    for (const kind of ['input', 'output', 'input', 'output', 'input'] as const) {
      stored.push(
        await storeAsset(platform, user.id, { kind, storedAt: new Date(Date.now() - 1000 + stored.length) }),
      );
    }
    await storeAsset(platform, creator.user.id, { kind: 'output' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await client.get(`/api/assets?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = await json(res);
      expect(page.assets.length).toBeLessThanOrEqual(2);
      for (const a of page.assets) {
        expect(a).toMatchObject({ status: 'stored', legalHold: false });
        expect(a.deleteAt).toEqual(expect.any(String));
        seen.push(a.id);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(stored.map((a) => a.id).reverse());

    const outputs = await json(await client.get('/api/assets?kind=output'));
    expect(outputs.assets.map((a: { id: string }) => a.id).sort()).toEqual(
      stored
        .filter((a) => a.kind === 'output')
        .map((a) => a.id)
        .sort(),
    );
    expect((await client.get('/api/assets?cursor=bm9wZQ')).status).toBe(400);
  });

  it('lists only the files a picker can use: stored ones of the media asked for, however many others came after', async () => {
    const { user, client } = await signedIn(platform);
    const at = Date.now() - 60_000;
    const row = (contentType: string, status: 'stored' | 'deleted' | 'pending', n: number) => ({
      id: randomUUID(),
      user: user.id,
      kind: 'input' as const,
      status,
      objectKey: `test/${randomUUID()}`,
      contentType,
      createdAt: new Date(at + n),
    });
    const recording = row('audio/mpeg', 'stored', 0);
    const image = row('image/png', 'stored', 1);
    // Newer than the recording, and more than a page of them: a picker of the newest
    // uploads would not reach it.
    const others = [
      row('audio/wav', 'deleted', 2),
      row('audio/mpeg', 'pending', 3),
      ...Array.from({ length: 3 }, (_, n) => row('image/jpeg', 'stored', 4 + n)),
    ];
    await platform.clients.orm.em.fork().insertMany(Asset, [recording, image, ...others]);

    const ids = async (query: string) =>
      ((await json(await client.get(`/api/assets?${query}`))).assets as { id: string }[]).map((a) => a.id);
    expect(await ids('kind=input&status=stored&media=audio&limit=2')).toEqual([recording.id]);
    expect(await ids('kind=input&media=audio')).toEqual([others[1]!.id, others[0]!.id, recording.id]);
    expect(await ids('status=stored&media=image&limit=10')).toEqual([
      ...others
        .slice(2)
        .map((a) => a.id)
        .reverse(),
      image.id,
    ]);
    const refused = await client.get('/api/assets?media=text');
    expect(refused.status).toBe(400);
    expect(JSON.stringify((await json(refused)).error)).toContain('media');
  });
});

describe('temporary processing files', () => {
  it('[R-TEMP] tracks a temp file with a 1-day backstop and deletes it with proof as soon as the job ends', async () => {
    const assetId = randomUUID();
    const jobId = randomUUID();
    const temp = await registerTempAsset(platform.clients, { assetId, userId: creator.user.id, jobId });
    expect(temp.objectKey).toBe(`users/${creator.user.id}/temp/${assetId}`);
    expect(new Date(temp.deleteAt).getTime() - Date.now()).toBeGreaterThan(
      RETENTION_POLICY.temp.keepMs - 60_000,
    );
    // Idempotent by asset id: a retried activity gets the same record.
    expect(await registerTempAsset(platform.clients, { assetId, userId: creator.user.id, jobId })).toEqual(
      temp,
    );
    const row = await em().findOneOrFail(Asset, { id: assetId });
    expect(row).toMatchObject({ kind: 'temp', status: 'stored', jobId });
    expect((await retention(assetId).describe()).status.name).toBe('RUNNING');

    // The job writes its temporary file, then finishes.
    const { store } = platform.clients;
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await store.client.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: temp.objectKey,
        Body: Buffer.from('intermediate frames'),
        ServerSideEncryption: store.serverSideEncryption,
      }),
    );
    const result = await deleteAssetNow(platform.clients, row, { reason: 'job_finished' });
    expect(result.status).toBe('deleted');
    expect(await objectExists(platform, temp.objectKey)).toBe(false);
    const deleted = await loadAsset(platform, assetId);
    expect(deleted).toMatchObject({ status: 'deleted', deletionReason: 'job_finished' });
    const proof = await em().findOneOrFail(DeletionProof, { assetId });
    expect(proof).toMatchObject({ reason: 'job_finished', kind: 'temp', objectExisted: true });
    expect(verifyDeletionProof(proof)).toBe(true);
    // The backstop workflow ends at once instead of waiting a day.
    const state = await retention(assetId).result();
    expect(state).toMatchObject({ status: 'deleted', proofId: proof.id });
    expect(await deleteAssetNow(platform.clients, row, { reason: 'job_finished' })).toMatchObject({
      status: 'deleted',
      proofId: proof.id,
    });
    expect(await em().count(DeletionProof, { assetId })).toBe(1);
  });
});

describe('operators', () => {
  it('shows operators an asset with its workflow and Temporal UI links, audited; creators cannot', async () => {
    const asset = await storeAsset(platform, creator.user.id, { kind: 'output' });
    const operator = await signedIn(platform, { role: 'operator', mfa: true });
    const res = await operator.client.get(`/api/ops/assets/${asset.id}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      id: asset.id,
      userId: creator.user.id,
      workflowId: `retention-${asset.id}`,
      activeHolds: 0,
      workflow: { status: 'scheduled', holds: [], deferrals: 0 },
    });
    expect(body.temporalUiUrl).toContain(`/namespaces/${platform.namespace}/workflows/retention-${asset.id}`);
    expect(decodeURIComponent(body.temporalUiUserUrl)).toContain(`UserId="${creator.user.id}"`);
    await eventually(
      async () => (await em().count(AuditEvent, { action: 'staff.viewed_asset', targetId: asset.id })) === 1,
      5000,
      'staff access audited',
    );
    expect((await creator.client.get(`/api/ops/assets/${asset.id}`)).status).toBe(403);
  });

  it('documents the storage routes in the OpenAPI document', async () => {
    const doc = await json(await platform.fetch('/api/openapi.json'));
    for (const path of [
      '/api/assets',
      '/api/assets/{id}/download',
      '/api/legal/holds',
      '/api/ops/assets/{id}',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});
