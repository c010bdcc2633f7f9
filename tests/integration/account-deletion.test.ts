// Account deletion (D-ERASE, R-ACCT-90D, R-PAY-7Y, D-RECIPIENTS, R-HOLD, D-MINOR): the
// residue test searches every table and the whole bucket for the person afterwards;
// a legal hold pauses the deletion visibly; support's finding of a minor; and a worker
// killed in the middle of a deletion, replaced, with nothing done twice. The worker
// runs in its own process (killable), every provider is the simulator.
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { KEPT_AFTER_DELETION, canonicalJson } from '../../domain/account-deletion.ts';
import {
  Asset,
  AuditEvent,
  CreditLedgerEntry,
  DataRecipient,
  DeletionCertificate,
  DeletionProof,
  GenerationJob,
  Payment,
  RightsRequest,
  Subscription,
  SupportTicket,
  User,
} from '../../db/entities/index.ts';
import { findPack } from '../../domain/billing.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { verifyAuditChain } from '../../platform/audit.ts';
import { verifyDeletionProof } from '../../stores/retention-proof.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { requestProgressQuery } from '../../workflows/rights-request.ts';
import { signIn, signedIn, type TestAccount } from '../support/accounts.ts';
import { eventually, media, objectExists, storeAsset, uploadBytes } from '../support/assets.ts';
import { createJob, jobRequest, waitForJob } from '../support/generation.ts';
import { json } from '../support/http.ts';
import { waitForMail } from '../support/mail.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { StripeSubscription, checkoutCompleted, delivered, deliverStripeEvent } from '../support/stripe.ts';
import {
  PROMPT_MARKERS,
  SIMULATOR_API_KEY,
  startProviderSimulator,
  type ProviderSimulator,
} from '../support/simulator/index.ts';
import { createTestNamespace, waitForWorkflowAtRest } from '../support/temporal.ts';
import {
  countMails,
  killWorker,
  requestAndVerify,
  startChildWorker,
  waitForRequestStatus,
} from './rights-request.support.ts';

let platform: TestPlatform;
let simulator: ProviderSimulator;
let env: Record<string, string>;
let worker: ChildProcess | undefined;
let legal: TestAccount;

beforeAll(async () => {
  simulator = await startProviderSimulator();
  const stackEnv = inject('stackEnv');
  const apiPort = await freePort();
  env = {
    ...stackEnv,
    TEMPORAL_NAMESPACE: await createTestNamespace(stackEnv.TEMPORAL_ADDRESS!, 'deletion'),
    PUBLIC_API_URL: `http://127.0.0.1:${apiPort}`,
    LUMA_API_KEY: SIMULATOR_API_KEY,
    LUMA_BASE_URL: simulator.url,
    FAL_KEY: SIMULATOR_API_KEY,
    FAL_QUEUE_URL: simulator.url,
  };
  platform = await startTestPlatform({ workers: false, apiPort, env });
  worker = startChildWorker(env);
  legal = await signedIn(platform, { role: 'legal', mfa: true });
});
afterAll(async () => {
  await killWorker(worker);
  await platform?.stop();
  await simulator?.stop();
});
const em = () => platform.clients.orm.em.fork();
const DONE = /account is deleted/i;

async function succeededJob(client: TestAccount['client'], overrides: Record<string, unknown> = {}) {
  const job = await json(await createJob(client, jobRequest(overrides)));
  const done = await waitForJob(client, job.id, { timeoutMs: 90_000 });
  expect(done.status).toBe('succeeded');
  return done;
}
const luma = { modelId: 'luma-ray-flash-2', durationSeconds: 5, resolution: '720p' };
const pika = { modelId: 'pika-2.2', durationSeconds: 5, resolution: '720p' };

/**
 * Every text, JSON and uuid column of every table that holds a needle: the residue scan.
 * (A needle is matched case-insensitively anywhere in the column's text.)
 */
async function rowsMentioning(
  needles: string[],
): Promise<{ table: string; column: string; needle: string; rows: number }[]> {
  const columns = await em().execute<{ table_name: string; column_name: string }[]>(
    `select c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'uuid', 'ARRAY')
      order by 1, 2`,
  );
  const hits: { table: string; column: string; needle: string; rows: number }[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    for (const needle of needles) {
      const [row] = await em().execute<{ n: number }[]>(
        `select count(*)::int as n from "${table}" where position(lower(?) in lower("${column}"::text)) > 0`,
        [needle],
      );
      if (row!.n > 0) hits.push({ table, column, needle, rows: row!.n });
    }
  }
  return hits;
}

/** Every object in the bucket whose key or bytes hold a needle. */
async function objectsMentioning(needles: string[]): Promise<string[]> {
  const { store } = platform.clients;
  const found: string[] = [];
  const patterns = needles.flatMap((n) => [Buffer.from(n), Buffer.from(n.toLowerCase())]);
  let token: string | undefined;
  do {
    const page = await store.client.send(
      new ListObjectsV2Command({ Bucket: store.bucket, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      const key = object.Key!;
      if (needles.some((n) => key.toLowerCase().includes(n.toLowerCase()))) {
        found.push(key);
        continue;
      }
      const got = await store.client
        .send(new GetObjectCommand({ Bucket: store.bucket, Key: key }))
        .catch(() => null); // deleted since the listing
      if (!got) continue;
      let tail = Buffer.alloc(0);
      for await (const chunk of got.Body as Readable) {
        const window = Buffer.concat([tail, chunk as Buffer]);
        if (patterns.some((p) => window.includes(p))) {
          found.push(key);
          break;
        }
        tail = window.subarray(Math.max(0, window.length - 400));
      }
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

describe('account deletion', () => {
  it('[D-ERASE] [R-ACCT-90D] [R-PAY-7Y] [D-RECIPIENTS] leaves nothing about the person but the records the policy keeps, and those name nobody', async () => {
    const name = `Residue Person ${randomUUID().slice(0, 8)}`;
    const me = await signedIn(platform, { credits: 400, name });
    const userId = me.user.id;
    const email = me.user.email;
    // A life on the platform: uploads, a local video, jobs sent to two providers, one still
    // running at deletion, consents, analytics, two sessions, an export, a rectification.
    expect((await uploadBytes(platform, me.client, await media('png'))).status).toBe(201);
    const local = await succeededJob(me.client);
    const lumaJob = await succeededJob(me.client, luma);
    const pikaJob = await succeededJob(me.client, pika);
    const stuck = await json(
      await createJob(me.client, jobRequest({ ...luma, prompt: `a river ${PROMPT_MARKERS.stuck}` })),
    );
    await waitForJob(me.client, stuck.id, { until: (j) => ['submitted', 'running'].includes(j.status) });
    await me.client.put('/api/consents', { analytics: true, marketingEmail: true, source: 'settings' });
    await me.client.post('/api/analytics/events', {
      events: [{ type: 'page_view', name: 'gallery', path: '/jobs' }],
    });
    const second = await signIn(platform, me.user);
    // A credit purchase, paid through Stripe Checkout (R-PAY-7Y keeps it 7 years).
    const { sessionId } = await json(await me.client.post('/api/billing/checkout', { packId: 'starter' }));
    const paidEvent = checkoutCompleted(`evt_residue_${sessionId}`, sessionId);
    expect((await deliverStripeEvent(platform, paidEvent)).status).toBe(200);
    const pack = findPack('starter')!;
    expect(await em().findOneOrFail(Payment, { id: sessionId })).toMatchObject({
      user: userId,
      status: 'paid',
    });
    const exported = await requestAndVerify(me.client, email, { type: 'access', jurisdiction: 'GDPR' });
    await waitForRequestStatus(platform, exported.id, ['completed']);
    // A subscription with a paid month, and a support ticket (D-SUBSCRIPTION, R-SUPPORT-3Y).
    const subscribed = await json(await me.client.post('/api/billing/subscription', { planId: 'basic' }));
    const subRow = await em().findOneOrFail(Subscription, { checkoutSessionId: subscribed.sessionId });
    const sub = new StripeSubscription(platform, subRow.id, subscribed.sessionId);
    await delivered(platform, sub.checkoutCompleted());
    await delivered(platform, sub.invoice('paid', `in_residue_${subRow.id.slice(0, 8)}`, 0));
    const ticket = await json(
      await me.client.post('/api/support/tickets', { subject: `Help for ${name}`, message: `I am ${name}` }),
    );
    const corrected = `${name} Corrected`;
    const rect = await requestAndVerify(me.client, email, {
      type: 'rectification',
      jurisdiction: 'GDPR',
      corrections: { name: corrected },
    });
    await waitForRequestStatus(platform, rect.id, ['completed']);
    expect((await em().findOneOrFail(User, { id: userId })).name).toBe(corrected);
    // Trust and safety: a take-down they filed about their own video (with their address),
    // and a review they asked for, with their words naming them.
    const reported = await me.client.post('/api/takedowns', {
      reason: 'copyright',
      content: local.id,
      details: `residue check by ${name}`,
      email,
    });
    expect(reported.status).toBe(201);
    await em()
      .getConnection()
      .execute(
        `insert into moderation_reviews (id, kind, subject, job_id, user_id, note, created_at)
       values (gen_random_uuid(), 'requested', 'prompt', ?, ?, ?, now())`,
        [local.id, userId, `please look again, ${name}`],
      );
    const assets = await em().find(Asset, { user: userId });
    expect(assets.map((a) => a.kind).sort()).toEqual(expect.arrayContaining(['export', 'input', 'output']));
    const ledgerIds = (await em().find(CreditLedgerEntry, { user: userId })).map((l) => l.id);
    const jobIds = [local.id, lumaJob.id, pikaJob.id, stuck.id];
    expect(await em().count(DataRecipient, { userId })).toBe(3);

    const { pseudonym } = await em().findOneOrFail(User, { id: userId });
    const deletion = await requestAndVerify(me.client, email, { type: 'deletion', jurisdiction: 'GDPR' });
    const done = await waitForRequestStatus(platform, deletion.id, ['completed'], 120_000);
    // R-ACCT-90D: done well within 90 days of the request.
    expect(done.completedAt!.getTime() - done.createdAt.getTime()).toBeLessThan(
      RETENTION_POLICY.deletedAccount.keepMs,
    );
    // Signed out everywhere.
    expect((await me.client.get('/api/privacy/settings')).status).toBe(401);
    expect((await second.get('/api/account')).status).toBe(401);

    // The running job was cancelled through its workflow, its credits released.
    expect((await em().findOneOrFail(GenerationJob, { id: stuck.id })).status).toBe('cancelled');
    expect(await em().count(CreditLedgerEntry, { jobId: stuck.id, kind: 'release' })).toBe(1);

    // Every file deleted through its retention workflow, with proof, and gone from the store.
    // The proofs name the owner by pseudonym now, wherever the id was, and still verify.
    expect(await em().count(DeletionProof, { ownerId: userId })).toBe(0);
    const proofs = await em().find(DeletionProof, { ownerPseudonym: pseudonym });
    expect(proofs.every((p) => verifyDeletionProof(p) && p.ownerId === null)).toBe(true);
    for (const asset of assets) {
      const proof = proofs.find((p) => p.assetId === asset.id);
      expect(proof, `${asset.kind} ${asset.id}`).toBeTruthy();
      expect(await objectExists(platform, asset.objectKey)).toBe(false);
    }
    expect(
      proofs
        .filter((p) => assets.some((a) => a.id === p.assetId && a.kind !== 'temp'))
        .every((p) => p.reason === 'account_deletion'),
    ).toBe(true);

    // D-RECIPIENTS: each provider was asked to erase, and its answer recorded.
    const recipients = await em().find(DataRecipient, { jobId: { $in: jobIds } });
    const outcome = (jobId: string) => recipients.find((r) => r.jobId === jobId)?.erasureOutcome;
    expect(outcome(lumaJob.id)).toBe('deleted');
    expect(outcome(pikaJob.id)).toBe('not_supported');
    expect(['not_found', 'deleted']).toContain(outcome(stuck.id));
    expect(recipients.every((r) => r.userId === null)).toBe(true);
    const lumaTask = simulator
      .tasks('luma')
      .find((t) => t.id === recipients.find((r) => r.jobId === lumaJob.id)!.providerTaskId)!;
    expect(lumaTask.deleted).toBe(true);

    // The certificate: downloadable by the emailed signed link, its hash and proofs hold.
    const mail = await waitForMail(email, DONE);
    // The emailed link opens the site's certificate page, which reads the API with the same token.
    const link = new URL(/https?:\/\/\S+\/certificate\?token=\S+/.exec(mail.text)![0]);
    expect(link.origin).toBe(new URL(platform.config.web.publicUrl).origin);
    const res = await fetch(`${platform.api.url}/api${link.pathname}${link.search}`);
    expect(res.status).toBe(200);
    const certificate = await json(res);
    const stored = await em().findOneOrFail(DeletionCertificate, { requestId: deletion.id });
    expect(certificate.certificateHash).toBe(stored.certificateHash);
    expect(createHash('sha256').update(canonicalJson(stored.contents)).digest('hex')).toBe(
      stored.certificateHash,
    );
    const listed = new Map(
      (certificate.contents.deletedObjects as { proofId: string; recordHash: string }[]).map((o) => [
        o.proofId,
        o.recordHash,
      ]),
    );
    for (const proof of proofs) expect(listed.get(proof.id)).toBe(proof.recordHash);
    expect(certificate.contents.recipients).toHaveLength(3);
    expect(certificate.contents.erasedRows.sessions).toBeGreaterThanOrEqual(1);
    expect(certificate.contents.promise.id).toBe('R-ACCT-90D');
    expect((await fetch(`${platform.api.url}/api${link.pathname}?token=9999999999999.deadbeef`)).status).toBe(
      403,
    );
    expect((await legal.client.get(`/api/legal/requests/${deletion.id}/certificate`)).status).toBe(200);

    // R-PAY-7Y: the payment is kept, detached from the person, with its amounts.
    expect(await em().findOneOrFail(Payment, { id: sessionId })).toMatchObject({
      user: null,
      status: 'paid',
      pack: 'starter',
      credits: pack.credits,
      amount: pack.amount,
      currency: 'usd',
      paidAt: expect.any(Date),
    });
    expect(certificate.contents.erasedRows.paymentsDetached).toBe(1);
    // D-SUBSCRIPTION: cancelled at Stripe first, kept detached (R-PAY-7Y); the ticket erased.
    expect(await em().findOneOrFail(Subscription, { id: subRow.id })).toMatchObject({
      status: 'canceled',
      endReason: 'account_deleted',
      user: null,
    });
    expect(certificate.contents.subscriptionsCancelled.subscriptions).toHaveLength(1);
    expect(await em().count(SupportTicket, { id: ticket.id })).toBe(0);
    expect(certificate.contents.erasedRows.supportTickets).toBe(1);

    // R-PAY-7Y: every ledger row is kept, detached; the rest of the balance was expired.
    const ledger = await em().find(CreditLedgerEntry, { id: { $in: ledgerIds } });
    expect(ledger).toHaveLength(ledgerIds.length);
    expect(ledger.every((l) => l.user === null || l.user === undefined)).toBe(true);
    const expired = await em().find(CreditLedgerEntry, {
      kind: 'expire',
      reference: { $like: 'account-deletion:%' },
      user: null,
      createdAt: { $gte: done.createdAt },
    });
    expect(expired.length).toBeGreaterThanOrEqual(1);

    // The residue scan: the account id, the email address and both names are in no row
    // at all. What is kept names the person by the pseudonym only (KEPT_AFTER_DELETION),
    // and the account's row, the one link between the two, is gone.
    expect(await rowsMentioning([userId, email, name, corrected])).toEqual([]);
    expect(await em().findOne(User, { id: userId })).toBeNull();
    const named = await rowsMentioning([pseudonym]);
    const pseudonymous = new Set(
      KEPT_AFTER_DELETION.filter((k) => k.refersBy === 'pseudonym').map((k) => k.record),
    );
    expect(named.filter((h) => !pseudonymous.has(h.table))).toEqual([]);
    expect(new Set(named.map((h) => h.table))).toEqual(
      new Set(['audit_events', 'deletion_proofs', 'deletion_certificates', 'rights_requests']),
    );
    expect(await em().findOneOrFail(RightsRequest, { id: deletion.id })).toMatchObject({
      user: null,
      subjectPseudonym: pseudonym,
      workflowId: `account-deletion-${pseudonym}`,
    });
    // The certificate lists each kept record with its reason and end date.
    expect(
      (certificate.contents.kept.records as { record: string; until: string | null }[]).map((r) => r.record),
    ).toEqual(KEPT_AFTER_DELETION.map((k) => k.record));
    expect(certificate.contents.subjectId).toBe(pseudonym);
    // Jobs are kept for the ledger, without prompt, inputs or owner.
    for (const job of await em().find(GenerationJob, { id: { $in: jobIds } })) {
      expect(job).toMatchObject({ user: null, prompt: '', idempotencyKey: null });
    }
    // The whole bucket: no key and no byte names the person.
    expect(await objectsMentioning([userId, email, name, corrected])).toEqual([]);
    expect((await verifyAuditChain(em())).ok).toBe(true);
    expect(await em().count(AuditEvent, { action: 'privacy.rows_erased', targetId: deletion.id })).toBe(1);
  }, 300_000);

  it('[R-HOLD] [D-ERASE] deletes nothing under a legal hold, shows the request as paused, and finishes after the release', async () => {
    const me = await signedIn(platform);
    const asset = await storeAsset(platform, me.user.id, { kind: 'output' });
    const hold = await json(
      await legal.client.post('/api/legal/holds', { userId: me.user.id, reason: 'Subpoena 2026-88' }),
    );
    const request = await requestAndVerify(me.client, me.user.email, {
      type: 'deletion',
      jurisdiction: 'CCPA',
    });
    await waitForRequestStatus(platform, request.id, ['paused']);
    // The deletion's workflow waits for the hold's release: nothing it could do is pending.
    await waitForWorkflowAtRest(
      platform.clients.temporal.client.workflow.getHandle(workflowIds.accountDeletion(me.user.pseudonym)),
    );
    const view = await json(await me.client.get(`/api/privacy/requests/${request.id}`));
    expect(view).toMatchObject({ status: 'paused', pausedReason: 'legal_hold', canCancel: true });
    expect(
      view.progress.steps
        .filter((s: { state: string }) => s.state === 'done')
        .map((s: { name: string }) => s.name),
    ).toEqual(['verify']);
    expect(await objectExists(platform, asset.objectKey)).toBe(true);
    expect((await em().findOneOrFail(User, { id: me.user.id })).status).toBe('active');
    const legalView = await json(await legal.client.get(`/api/legal/requests/${request.id}`));
    expect(legalView).toMatchObject({ status: 'paused', pausedReason: 'legal_hold' });

    expect(
      (await legal.client.post(`/api/legal/holds/${hold.id}/release`, { reason: 'Released by court' }))
        .status,
    ).toBe(200);
    await waitForRequestStatus(platform, request.id, ['completed'], 60_000);
    expect(await objectExists(platform, asset.objectKey)).toBe(false);
    expect((await em().findOneOrFail(DeletionProof, { assetId: asset.id })).reason).toBe('account_deletion');
    expect(await em().count(AuditEvent, { action: 'privacy.request_paused', targetId: request.id })).toBe(1);
  }, 120_000);

  it('[D-MINOR] support marks an under-age account: collection stops at once, sessions end, the parent is told, and everything is deleted as a minor', async () => {
    const me = await signedIn(platform);
    const asset = await storeAsset(platform, me.user.id, { kind: 'input' });
    const support = await signedIn(platform, { role: 'support', mfa: true });
    const parent = `parent-${randomUUID().slice(0, 8)}@example.test`;
    const res = await support.client.post(`/api/staff/users/${me.user.id}/minor`, {
      reason: 'Profile says 14; no parental consent on file',
      parentEmail: parent,
    });
    expect(res.status).toBe(202);
    const answer = await json(res);
    expect(answer).toMatchObject({ status: 'suspended_minor', parentNotified: true });
    // At once: the session is gone (and a suspended account could not use one anyway).
    expect((await me.client.get('/api/privacy/settings')).status).toBe(401);
    // Suspended, or already deleted with its row (the deletion may be that quick).
    const status = (await em().findOne(User, { id: me.user.id }))?.status ?? 'row deleted';
    expect(status).toMatch(/^(suspended_minor|deleted|row deleted)$/);
    expect((await waitForMail(parent, /has been closed/)).text).toContain('deleting all of its data');

    const done = await waitForRequestStatus(platform, answer.requestId, ['completed'], 60_000);
    expect(done.origin).toBe('minor');
    expect((await em().findOneOrFail(DeletionProof, { assetId: asset.id })).reason).toBe('minor');
    expect((await em().findOneOrFail(DeletionCertificate, { requestId: answer.requestId })).origin).toBe(
      'minor',
    );
    expect(await em().findOne(User, { id: me.user.id })).toBeNull();
    // Nothing more is sent to the minor's own address.
    expect(await countMails(me.user.email, DONE)).toBe(0);
  }, 120_000);

  it('[D-ERASE] [D-RECIPIENTS] a worker killed in the middle of a deletion is replaced, and the deletion finishes with nothing done twice', async () => {
    const me = await signedIn(platform, { credits: 400 });
    const JOBS = 5;
    const jobs = [];
    for (let i = 0; i < JOBS; i++) jobs.push(await succeededJob(me.client, luma));
    simulator.setFaults({ latencyMs: 1500 }, 'luma');
    try {
      const request = await requestAndVerify(me.client, me.user.email, {
        type: 'deletion',
        jurisdiction: 'GDPR',
      });
      const handle = platform.clients.temporal.client.workflow.getHandle(
        workflowIds.accountDeletion(me.user.pseudonym),
      );
      const deadline = Date.now() + 60_000;
      for (;;) {
        const progress = await handle.query(requestProgressQuery).catch(() => null);
        if (progress?.steps.find((s) => s.name === 'notify_recipients')?.state === 'running') break;
        if (Date.now() > deadline) throw new Error('never reached the erasure notices');
        await sleep(100);
      }
      // Mid-way through the notices (each takes the provider 1.5 s): once one is recorded.
      const jobIds: string[] = jobs.map((j) => j.id);
      await eventually(
        async () =>
          (await em().count(DataRecipient, {
            jobId: { $in: jobIds },
            erasureOutcome: { $ne: null },
          })) > 0,
        60_000,
        'a first erasure notice recorded',
      );
      await killWorker(worker);
      const recordedBefore = await em().count(DataRecipient, {
        jobId: { $in: jobs.map((j) => j.id) },
        erasureOutcome: { $ne: null },
      });
      expect(recordedBefore).toBeLessThan(JOBS);
      worker = startChildWorker(env);

      await waitForRequestStatus(platform, request.id, ['completed'], 180_000);
      const rows = await em().find(DataRecipient, { jobId: { $in: jobs.map((j) => j.id) } });
      expect(rows).toHaveLength(JOBS);
      expect(rows.every((r) => r.erasureOutcome === 'deleted')).toBe(true);
      for (const row of rows) {
        expect(simulator.task(row.providerTaskId)!.deleted).toBe(true);
        // At most one repeat, for the notice in flight when the worker died.
        const deletes = simulator
          .requests('luma')
          .filter((r) => r.method === 'DELETE' && r.path.endsWith(row.providerTaskId));
        expect(deletes.length).toBeGreaterThanOrEqual(1);
        expect(deletes.length).toBeLessThanOrEqual(2);
      }
      const repeated = rows.filter(
        (r) =>
          simulator.requests('luma').filter((q) => q.method === 'DELETE' && q.path.endsWith(r.providerTaskId))
            .length > 1,
      );
      expect(repeated.length).toBeLessThanOrEqual(1);
      expect(await em().count(DeletionCertificate, { requestId: request.id })).toBe(1);
      for (const action of [
        'privacy.rows_erased',
        'privacy.certificate_issued',
        'privacy.erasure_notices_sent',
        'privacy.profile_anonymized',
      ]) {
        expect(await em().count(AuditEvent, { action, targetId: request.id }), action).toBe(1);
      }
      for (const job of jobs)
        expect(await em().count(DeletionProof, { assetId: job.output.assetId })).toBe(1);
      // The workflow has ended: the last email is sent and nothing runs again.
      await handle.result();
      await waitForMail(me.user.email, DONE);
      expect(await countMails(me.user.email, DONE)).toBe(1);
      const history = await handle.fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
      expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    } finally {
      simulator.resetFaults();
    }
  }, 300_000);
});
