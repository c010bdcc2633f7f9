// Policy versions (D-POLICY) and marketing email (D-CONSENT, D-OBJECT, D-UNSUB). These
// change what every account in the database sees (a policy change that needs consent
// gates all of them; a campaign mails everyone who opted in), so this file runs on a
// database of its own in the test stack's PostgreSQL, never the shared one.
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  AuditEvent,
  Consent,
  EmailLog,
  MarketingCampaign,
  UnstartedMarketingCampaign,
  UnstartedPolicyAnnouncement,
  User,
} from '../../db/entities/index.ts';
import { migrate, ormOptions } from '../../db/orm.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { ANNOUNCEMENT_BATCH_SIZE, CAMPAIGN_START_DEADLINE_MS } from '../../domain/announcement.ts';
import { POLICY_ANNOUNCEMENT_START_DEADLINE_MS } from '../../domain/policy.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { unstartedJobSweepWorkflow } from '../../workflows/sweeps.ts';
import { recipientHash } from '../../stores/mail.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { json } from '../support/http.ts';
import { mailsTo, waitForMail } from '../support/mail.ts';
import { pauseUnstartedSweep, startOutage, temporalAnswering, type Outage } from '../support/outage.ts';
import { startTestPlatform, testConfig, type TestPlatform } from '../support/platform.ts';
import { CODE_SUBJECT, codeFrom, createRequest } from './rights-request.support.ts';

let platform: TestPlatform;
let legal: TestAccount;
let admin: TestAccount;
let databaseUrl: string;

beforeAll(async () => {
  const shared = new URL(inject('stackEnv').DATABASE_URL!);
  const name = `clipwise_policy_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: shared.toString() });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const own = new URL(shared);
  own.pathname = `/${name}`;
  databaseUrl = own.toString();
  const orm = await MikroORM.init(ormOptions(testConfig({ DATABASE_URL: databaseUrl }).database));
  await migrate(orm);
  await orm.close(true);
  // Links in the mail point at this API itself (in production: through the site).
  const apiPort = await freePort();
  platform = await startTestPlatform({
    apiPort,
    env: { DATABASE_URL: databaseUrl, PUBLIC_API_URL: `http://127.0.0.1:${apiPort}` },
  });
  legal = await signedIn(platform, { role: 'legal', mfa: true });
  admin = await signedIn(platform, { role: 'admin', mfa: true });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();

async function publish(body: Record<string, unknown>) {
  const res = await legal.client.post('/api/legal/policy-versions', body);
  expect(res.status).toBe(201);
  return json(res);
}
async function announcementDone(workflowId: string) {
  return platform.clients.temporal.client.workflow.getHandle(workflowId).result();
}
/** A campaign as the admins' list shows it. */
async function listedCampaign(campaignId: string) {
  const res = await admin.client.get('/api/admin/marketing/campaigns');
  expect(res.status).toBe(200);
  const { campaigns } = await json(res);
  return campaigns.find((c: { campaignId: string }) => c.campaignId === campaignId);
}

describe('policy versions', () => {
  it('[D-POLICY] announces a material change by email to every account, in batches, and gates use until a change needing consent is accepted', async () => {
    const early = await signedIn(platform);
    const other = await signedIn(platform);
    // More accounts than one batch holds, made directly.
    const extra = ANNOUNCEMENT_BATCH_SIZE + 10;
    await em().insertMany(
      User,
      Array.from({ length: extra }, () => ({
        id: randomUUID(),
        email: `bulk-${randomUUID().slice(0, 8)}@example.test`,
        name: 'Bulk Person',
        role: 'creator' as const,
        status: 'active' as const,
        preferences: {},
        createdAt: new Date(),
        updatedAt: new Date(),
      })),
    );
    const before = await em().count(User, { status: { $ne: 'deleted' } });
    await sleep(20);

    // A change that is not material: no email, no gate.
    await publish({ version: '2026-12-01', summary: 'Typo fixes.', material: false, requiresConsent: false });
    expect((await early.client.get('/api/privacy/settings')).status).toBe(200);

    const version = '2027-01-01';
    const published = await publish({
      version,
      summary: 'We now keep support tickets for 3 years.',
      material: true,
      requiresConsent: true,
    });
    const result = await announcementDone(published.announcementWorkflowId);
    expect(result.sent + result.skipped).toBe(before);
    expect(result.sent).toBe(before);
    const logged = await em().count(EmailLog, {
      template: 'policy_changed',
      dedupeKey: { $like: `policy:${version}:%` },
    });
    expect(logged).toBe(before);
    // The log names the recipient by a keyed hash only.
    const row = await em().findOneOrFail(EmailLog, { dedupeKey: `policy:${version}:${early.user.id}` });
    expect(row.recipientHash).toBe(recipientHash(platform.config, early.user.email));
    expect(row.recipientHash).not.toContain(early.user.email);
    const mail = await waitForMail(early.user.email, /please review and accept/i);
    expect(mail.text).toContain('We now keep support tickets for 3 years.');
    expect(mail.headers['list-unsubscribe']).toBeUndefined();

    // Until accepted, every route for active accounts answers 403; the session routes and the acceptance work.
    const gated = await early.client.get('/api/privacy/settings');
    expect(gated.status).toBe(403);
    expect((await json(gated)).error.code).toBe('policy_acceptance_required');
    expect((await early.client.get('/api/jobs')).status).toBe(403);
    expect((await early.client.get('/api/account')).status).toBe(200);
    const policy = await json(await early.client.get('/api/privacy/policy'));
    expect(policy).toMatchObject({ current: version, acceptanceRequired: true });
    expect((await early.client.post('/api/privacy/policy/accept', { version: '2026-11-01' })).status).toBe(
      400,
    );
    const accepted = await early.client.post('/api/privacy/policy/accept', { version });
    expect(accepted.status).toBe(200);
    expect((await early.client.get('/api/privacy/settings')).status).toBe(200);
    expect((await em().findOneOrFail(User, { id: early.user.id })).policyVersionAccepted).toBe(version);
    // Another account is still gated; an account made after the change is not.
    expect((await other.client.get('/api/privacy/settings')).status).toBe(403);
    const later = await signedIn(platform);
    expect((await later.client.get('/api/privacy/settings')).status).toBe(200);

    // Running the announcement again sends nothing twice.
    const again = await platform.clients.temporal.client.workflow.execute('announcementWorkflow', {
      taskQueue: 'privacy',
      workflowId: `announcement-again-${version}`,
      args: [{ announcement: { kind: 'policy', version } }],
    });
    expect(again).toMatchObject({ sent: 1 });
    expect((await mailsTo(early.user.email)).filter((m) => /please review/i.test(m.subject))).toHaveLength(1);
    for (const account of [other, legal, admin])
      await account.client.post('/api/privacy/policy/accept', { version });
  }, 120_000);
});

describe('marketing email', () => {
  it('[D-CONSENT] [D-OBJECT] [D-UNSUB] goes only to those who opted in and did not object, with a one-click unsubscribe that works; account email continues', async () => {
    const optedIn = await signedIn(platform);
    const never = await signedIn(platform);
    const objected = await signedIn(platform);
    const viaLink = await signedIn(platform);
    for (const account of [optedIn, objected, viaLink]) {
      await account.client.put('/api/consents', { marketingEmail: true, source: 'settings' });
    }
    await never.client.put('/api/consents', { marketingEmail: false, source: 'settings' });
    await objected.client.put('/api/privacy/objection', { marketing: true });
    const subject = `Spring news ${randomUUID().slice(0, 6)}`;
    const started = await admin.client.post('/api/admin/marketing/campaigns', {
      subject,
      body: 'Two new models.',
    });
    expect(started.status).toBe(202);
    await announcementDone((await json(started)).workflowId);

    const mail = await waitForMail(optedIn.user.email, new RegExp(subject));
    expect((await mailsTo(never.user.email)).filter((m) => m.subject === subject)).toHaveLength(0);
    expect((await mailsTo(objected.user.email)).filter((m) => m.subject === subject)).toHaveLength(0);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    const header = /<([^>]+)>/.exec(mail.headers['list-unsubscribe']!)![1]!;
    // The text's link opens the site's page; the header is the API's one-click address, same token.
    const token = new URL(header).searchParams.get('token')!;
    expect(mail.text).toContain(
      `${platform.config.web.publicUrl}/unsubscribe?u=${optedIn.user.id}&token=${encodeURIComponent(token)}`,
    );
    // Opening the link (as a mail scanner would) changes nothing.
    expect(await json(await fetch(header))).toEqual({ status: 'subscribed' });

    // RFC 8058 one-click: a POST with no cookie and no CSRF token, as a mail client sends it.
    const clicked = await fetch(header, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(clicked.status).toBe(200);
    const rows = await em().find(
      Consent,
      { user: optedIn.user.id, purpose: 'marketing_email' },
      { orderBy: { id: 'asc' } },
    );
    // Append-only: the opt-in stays on record; the withdrawal is a new row.
    expect(rows.map((r) => [r.granted, r.source])).toEqual([
      [true, 'settings'],
      [false, 'unsubscribe_link'],
    ]);
    // A forged link does nothing.
    const forged = header.replace(/token=[^&]+/, 'token=9999999999999.deadbeef');
    expect((await fetch(forged, { method: 'POST' })).status).toBe(403);

    // The link in the text leads to the page whose button posts the same signed link.
    const second = await waitForMail(viaLink.user.email, new RegExp(subject));
    const link = new URL(/https?:\/\/\S+unsubscribe\?\S+/.exec(second.text)![0]);
    const confirmed = await fetch(`${platform.api.url}/api/privacy/unsubscribe${link.search}`, {
      method: 'POST',
    });
    expect(confirmed.status).toBe(200);

    const next = `Summer news ${randomUUID().slice(0, 6)}`;
    await announcementDone(
      (
        await json(
          await admin.client.post('/api/admin/marketing/campaigns', { subject: next, body: 'More.' }),
        )
      ).workflowId,
    );
    for (const account of [optedIn, viaLink]) {
      expect((await mailsTo(account.user.email)).filter((m) => m.subject === next)).toHaveLength(0);
    }
    // Transactional email continues after unsubscribing.
    await createRequest(optedIn.client, { type: 'access', jurisdiction: 'GDPR' });
    expect(codeFrom(await waitForMail(optedIn.user.email, CODE_SUBJECT))).toMatch(/^\d{6}$/);
  }, 120_000);

  it('[D-CONSENT] sent again with its Idempotency-Key, is the campaign the first request started: nobody gets it twice', async () => {
    const optedIn = await signedIn(platform);
    await optedIn.client.put('/api/consents', { marketingEmail: true, source: 'settings' });
    const subject = `Autumn news ${randomUUID().slice(0, 6)}`;
    const send = (key: string, body = 'Three new voices.') =>
      admin.client.request(
        'POST',
        '/api/admin/marketing/campaigns',
        { subject, body },
        { 'Idempotency-Key': key },
      );
    const key = `campaign-${randomUUID()}`;
    const first = await send(key);
    expect(first.status).toBe(202);
    const campaign = await json(first);
    expect(campaign.kept).toBe(false);
    // Its answer lost, say, and sent again: before, a second campaign, everyone mailed twice.
    const again = await send(key);
    expect(again.status).toBe(202);
    expect(await json(again)).toEqual(campaign);
    const { sent } = await announcementDone(campaign.workflowId);
    // Its end and count recorded by the workflow, listed for admins from PostgreSQL.
    expect(await listedCampaign(campaign.campaignId)).toMatchObject({
      subject,
      state: 'sent',
      sent,
      finishedAt: expect.any(String),
    });
    // The same key with another email is refused: before, it was another campaign.
    const changed = await send(key, 'Four new voices.');
    expect(changed.status).toBe(409);
    expect((await json(changed)).error).toMatchObject({
      code: 'idempotency_key_reused',
      message: 'This Idempotency-Key was already used for a different campaign.',
    });
    // Another key is another campaign.
    const other = await json(await send(`campaign-${randomUUID()}`));
    expect(other.campaignId).not.toBe(campaign.campaignId);
    await announcementDone(other.workflowId);
    const bad = await send('not a key!');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatchObject({
      code: 'invalid_request',
      message: 'Invalid headers: check Idempotency-Key.',
    });
    // Two campaigns, each audited once and mailed once to the person who opted in.
    for (const { campaignId } of [campaign, other]) {
      const audited = { action: 'marketing.campaign_started', details: { campaignId } };
      expect(await em().count(AuditEvent, audited)).toBe(1);
      expect(await em().count(EmailLog, { dedupeKey: `marketing:${campaignId}:${optedIn.user.id}` })).toBe(1);
    }
  }, 120_000);
});

/** An api of the same deployment (database, namespace) whose Temporal can be cut. */
async function withTemporalCut(run: (cut: TestPlatform, outage: Outage) => Promise<void>) {
  const outage = await startOutage(inject('stackEnv').TEMPORAL_ADDRESS!);
  const cut = await startTestPlatform({
    workers: false,
    env: {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: outage.address,
      TEMPORAL_NAMESPACE: platform.namespace,
    },
  });
  try {
    await run(cut, outage);
  } finally {
    outage.up();
    await cut.stop();
    await outage.close();
  }
}

/** One run of the unstarted sweep, on the platform whose Temporal answers. */
const sweepUnstarted = () =>
  platform.clients.temporal.client.workflow.execute(unstartedJobSweepWorkflow, {
    taskQueue: TASK_QUEUES.system,
    workflowId: `test-unstarted-sweep-${randomUUID()}`,
  });

describe('while Temporal does not answer', () => {
  beforeAll(() => pauseUnstartedSweep(platform.clients.temporal.client));

  it('[D-POLICY] a material change is published and answered within seconds, and announced by the unstarted sweep once Temporal answers', async () => {
    await withTemporalCut(async (cut, outage) => {
      const [publisher, reader] = await Promise.all([
        signedIn(cut, { role: 'legal', mfa: true }),
        signedIn(platform),
      ]);
      const version = '2027-06-01';
      const body = {
        version,
        summary: 'We now name our video providers.',
        material: true,
        requiresConsent: false,
      };
      outage.down();
      const asked = Date.now();
      const res = await publisher.client.post('/api/legal/policy-versions', body);
      expect(res.status).toBe(201);
      // Before, a 503 after the Temporal client's tries (about 5.6 s), the version
      // published all the same, and never announced: publishing it again is refused.
      expect(Date.now() - asked).toBeLessThan(POLICY_ANNOUNCEMENT_START_DEADLINE_MS + 5_000);
      const published = await json(res);
      expect(published).toMatchObject({ version, announcementKept: true });
      expect(await em().findOne(UnstartedPolicyAnnouncement, { version })).toMatchObject({
        namespace: platform.namespace,
      });
      expect((await publisher.client.post('/api/legal/policy-versions', body)).status).toBe(409);

      outage.up();
      const accounts = await em().count(User, { status: { $ne: 'deleted' } });
      const swept = await sweepUnstarted();
      expect(swept.policyAnnouncements).toEqual({ started: 1, dropped: 0, refused: 0 });
      expect(await em().count(UnstartedPolicyAnnouncement, { version })).toBe(0);
      const result = await announcementDone(published.announcementWorkflowId);
      expect(result.sent).toBe(accounts);
      expect(await em().count(EmailLog, { dedupeKey: `policy:${version}:${reader.user.id}` })).toBe(1);
    });
  }, 120_000);

  it('[D-CONSENT] a marketing campaign is kept and answered within seconds, sent again safely, and mailed once by the unstarted sweep once Temporal answers', async () => {
    await withTemporalCut(async (cut, outage) => {
      const [sender, optedIn] = await Promise.all([
        signedIn(cut, { role: 'admin', mfa: true }),
        signedIn(platform),
      ]);
      await optedIn.client.put('/api/consents', { marketingEmail: true, source: 'settings' });
      const body = { subject: `Winter news ${randomUUID().slice(0, 6)}`, body: 'Five new voices.' };
      const key = `campaign-${randomUUID()}`;
      const send = () =>
        sender.client.request('POST', '/api/admin/marketing/campaigns', body, { 'Idempotency-Key': key });
      outage.down();
      const asked = Date.now();
      const res = await send();
      // Before, a 503 after the Temporal client's tries (about 5.6 s), nothing kept.
      expect(res.status).toBe(202);
      expect(Date.now() - asked).toBeLessThan(CAMPAIGN_START_DEADLINE_MS + 5_000);
      const campaign = await json(res);
      expect(campaign.kept).toBe(true);
      expect(await em().findOne(MarketingCampaign, { id: campaign.campaignId })).toMatchObject(body);
      expect(await em().findOne(UnstartedMarketingCampaign, { campaign: campaign.campaignId })).toMatchObject(
        {
          namespace: platform.namespace,
        },
      );
      // Sent again during the outage: the same campaign, kept once.
      const again = await send();
      expect(again.status).toBe(202);
      expect(await json(again)).toEqual(campaign);
      expect(await em().count(UnstartedMarketingCampaign, { campaign: campaign.campaignId })).toBe(1);
      expect(await listedCampaign(campaign.campaignId)).toMatchObject({ state: 'kept', sent: null });

      outage.up();
      const swept = await sweepUnstarted();
      expect(swept.marketingCampaigns).toEqual({ started: 1, dropped: 0, refused: 0 });
      expect(await em().count(UnstartedMarketingCampaign, { campaign: campaign.campaignId })).toBe(0);
      const { sent } = await announcementDone(campaign.workflowId);
      expect(await listedCampaign(campaign.campaignId)).toMatchObject({ state: 'sent', sent });
      const mailed = { dedupeKey: `marketing:${campaign.campaignId}:${optedIn.user.id}` };
      expect(await em().count(EmailLog, mailed)).toBe(1);
      const audited = { action: 'marketing.campaign_started', details: { campaignId: campaign.campaignId } };
      expect(await em().count(AuditEvent, audited)).toBe(1);
      // Sent again once it ended: the same campaign, not run again over every account.
      await temporalAnswering(cut.clients.temporal);
      const handle = platform.clients.temporal.client.workflow.getHandle(campaign.workflowId);
      const { runId } = await handle.describe();
      expect(await json(await send())).toEqual({ ...campaign, kept: false });
      expect((await handle.describe()).runId).toBe(runId);
      expect(await em().count(EmailLog, mailed)).toBe(1);
    });
  }, 120_000);
});
