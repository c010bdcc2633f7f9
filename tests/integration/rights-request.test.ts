// Rights requests through the API: verification (D-VERIFY), expiry of unverified
// requests, the statutory clock and its extension (D-CLOCK), the California limit
// (D-CCPA-2X), restriction (D-RESTRICT), objection (D-OBJECT), consent withdrawal
// (D-CONSENT), and the legal team's view. Every view reads the request's row alone: its
// status and steps never disagree, and it answers at once with the worker stopped.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendMarketingMail } from '../../stores/mail.ts';
import { AuditEvent, Consent, RightsRequest, User } from '../../db/entities/index.ts';
import {
  DELETION_STEPS,
  UNVERIFIED_REQUEST_TTL_MS,
  VERIFICATION_CODE_TTL_MS,
  VERIFICATION_MAX_ATTEMPTS,
} from '../../domain/rights-request.ts';
import {
  addCalendarMonths,
  CCPA_EXTENSION_DAYS,
  CCPA_RESPONSE_DAYS,
} from '../../domain/rights-request-clock.ts';
import { DAY, MINUTE, SECOND } from '../../domain/time.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { cancelRightsRequest, createRightsRequest } from '../../use-cases/rights-request.ts';
import { getMyRequest } from '../../use-cases/rights-request-view.ts';
import { requestProgressQuery } from '../../workflows/rights-request.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { createJob, jobRequest } from '../support/generation.ts';
import { json } from '../support/http.ts';
import { waitForMail } from '../support/mail.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitForWorkflowAtRest } from '../support/temporal.ts';
import {
  CODE_SUBJECT,
  codeFrom,
  countMails,
  createRequest,
  historyActions,
  loadRequest,
  nextMail,
  requestAndVerify,
  waitForRequestStatus,
} from './rights-request.support.ts';
import { scaledDurations } from '../support/durations.ts';
import { eventually } from '../support/assets.ts';

// An unverified request expires after about 4 s here (7 days in production).
const EXPIRY_MS = 4 * SECOND;
const TIME_SCALE = String(EXPIRY_MS / UNVERIFIED_REQUEST_TTL_MS);

let platform: TestPlatform;
let legal: TestAccount;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { DURATION_OVERRIDES: scaledDurations(TIME_SCALE) } });
  legal = await signedIn(platform, { role: 'legal', mfa: true });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();
const user = (id: string) => em().findOneOrFail(User, { id });

describe('verification', () => {
  it('[D-VERIFY] processes nothing before the emailed code; counts every wrong try and voids the code after three', async () => {
    const me = await signedIn(platform);
    const request = await createRequest(me.client, { type: 'restriction', jurisdiction: 'GDPR' });
    expect(request).toMatchObject({
      status: 'awaiting_verification',
      dueAt: null,
      daysLeft: null,
      verification: { attemptsLeft: VERIFICATION_MAX_ATTEMPTS },
    });
    const mail = await waitForMail(me.user.email, CODE_SUBJECT);
    const code = codeFrom(mail);
    // Only a keyed hash of the code is stored.
    const row = await loadRequest(platform, request.id);
    expect(row.verificationCodeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.verificationCodeHash).not.toContain(code);
    expect(row.verificationExpiresAt!.getTime() - row.verificationSentAt!.getTime()).toBe(
      VERIFICATION_CODE_TTL_MS,
    );

    const wrong = code === '000000' ? '111111' : '000000';
    const messages: string[] = [];
    for (let i = 0; i < VERIFICATION_MAX_ATTEMPTS; i++) {
      const res = await me.client.post(`/api/privacy/requests/${request.id}/verify`, { code: wrong });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error.code).toBe('invalid_code');
      messages.push(body.error.message);
    }
    expect(messages[0]).toContain('2 tries left');
    expect(messages[1]).toContain('1 try left');
    expect(messages[2]).toContain('can no longer be used');
    // The right code no longer works either: the code is void.
    const late = await me.client.post(`/api/privacy/requests/${request.id}/verify`, { code });
    expect((await json(late)).error.code).toBe('code_void');
    // The request's workflow has handled everything it was sent and waits: had anything
    // reached it as a verification, it would have restricted processing by now.
    const workflowId = (await loadRequest(platform, request.id)).workflowId!;
    await waitForWorkflowAtRest(platform.clients.temporal.client.workflow.getHandle(workflowId));
    expect((await user(me.user.id)).restrictedAt).toBeNull();
    expect((await loadRequest(platform, request.id)).status).toBe('awaiting_verification');
    expect(
      await em().count(AuditEvent, { action: 'privacy.verification_failed', targetId: request.id }),
    ).toBe(3);

    // A new code, and the request is carried out.
    const seen = await countMails(me.user.email, CODE_SUBJECT);
    expect((await me.client.post(`/api/privacy/requests/${request.id}/code`)).status).toBe(200);
    const fresh = codeFrom(await nextMail(me.user.email, CODE_SUBJECT, seen));
    const verified = await me.client.post(`/api/privacy/requests/${request.id}/verify`, { code: fresh });
    expect(verified.status).toBe(200);
    expect((await json(verified)).status).toMatch(/verified|in_progress|completed/);
    const done = await waitForRequestStatus(platform, request.id, ['completed']);
    expect(done.verificationCodeHash).toBeNull();
    expect((await user(me.user.id)).restrictedAt).not.toBeNull();
  });

  it('[D-VERIFY] refuses a code after its 10 minutes', async () => {
    expect(VERIFICATION_CODE_TTL_MS).toBe(10 * MINUTE);
    const me = await signedIn(platform);
    const request = await createRequest(me.client, {
      type: 'objection',
      jurisdiction: 'GDPR',
      purposes: ['marketing'],
    });
    const code = codeFrom(await waitForMail(me.user.email, CODE_SUBJECT));
    // Ten minutes pass (the stored expiry is moved, as the clock would).
    await em().nativeUpdate(
      RightsRequest,
      { id: request.id },
      { verificationExpiresAt: new Date(Date.now() - 1) },
    );
    const res = await me.client.post(`/api/privacy/requests/${request.id}/verify`, { code });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('code_expired');
    expect((await user(me.user.id)).objectedToMarketingAt).toBeNull();
  });

  it('[D-VERIFY] an unverified request expires by its durable timer and can no longer be verified', async () => {
    expect(UNVERIFIED_REQUEST_TTL_MS).toBe(7 * DAY);
    const me = await signedIn(platform);
    const request = await createRequest(me.client, { type: 'access', jurisdiction: 'GDPR' });
    expect(new Date(request.expiresAt).getTime() - new Date(request.createdAt).getTime()).toBeCloseTo(
      EXPIRY_MS,
      -2,
    );
    const code = codeFrom(await waitForMail(me.user.email, CODE_SUBJECT));
    const expired = await waitForRequestStatus(platform, request.id, ['expired'], 20_000);
    expect(expired.completedAt).not.toBeNull();
    const view = await json(await me.client.get(`/api/privacy/requests/${request.id}`));
    expect(view.status).toBe('expired');
    // Nothing was done, and nothing will be.
    expect(view.progress.steps.map((s: { state: string }) => s.state)).toEqual(Array(5).fill('skipped'));
    // The row says expired as the workflow's last step writes it; the workflow then ends.
    const handle = platform.clients.temporal.client.workflow.getHandle(`rights-request-${request.id}`);
    expect(await handle.result()).toMatchObject({ status: 'expired' });
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const late = await me.client.post(`/api/privacy/requests/${request.id}/verify`, { code });
    expect(late.status).toBe(409);
    expect(await em().count(AuditEvent, { action: 'privacy.request_expired', targetId: request.id })).toBe(1);
    expect(await em().count(RightsRequest, { id: request.id, resultAssetId: { $ne: null } })).toBe(0);
  });
});

describe('one source for status and steps', () => {
  it("[D-VERIFY] a request's status and its steps never disagree, before, during and after its expiry", async () => {
    const me = await signedIn(platform);
    const request = await createRequest(me.client, { type: 'access', jurisdiction: 'GDPR' });
    const waiting = ['waiting', 'pending', 'pending', 'pending', 'pending'];
    const skipped = Array(5).fill('skipped');
    const seen: { status: string; steps: string[] }[] = [];
    const deadline = Date.now() + 20_000;
    // Read as the owner and the legal team read it, again and again through the expiry.
    for (;;) {
      const views = [
        await json(await me.client.get(`/api/privacy/requests/${request.id}`)),
        await json(await legal.client.get(`/api/legal/requests/${request.id}`)),
        (await json(await me.client.get('/api/privacy/requests'))).requests[0],
      ];
      for (const view of views) {
        seen.push({ status: view.status, steps: view.progress.steps.map((s: { state: string }) => s.state) });
      }
      if (views.every((v) => v.status === 'expired')) break;
      if (Date.now() > deadline) throw new Error('the request never expired');
      await sleep(50);
    }
    expect(seen.some((v) => v.status === 'awaiting_verification')).toBe(true);
    for (const view of seen) expect(view.steps).toEqual(view.status === 'expired' ? skipped : waiting);
  });

  it('[R-HOLD] [D-ERASE] a deletion held before it starts shows its hold check while paused, and every step done once released', async () => {
    const me = await signedIn(platform);
    const hold = await json(
      await legal.client.post('/api/legal/holds', { userId: me.user.id, reason: 'Matter 2026-31: preserve' }),
    );
    const request = await requestAndVerify(me.client, me.user.email, {
      type: 'deletion',
      jurisdiction: 'GDPR',
    });
    await waitForRequestStatus(platform, request.id, ['paused']);
    const paused = await json(await legal.client.get(`/api/legal/requests/${request.id}`));
    expect(paused).toMatchObject({ status: 'paused', pausedReason: 'legal_hold', canCancel: true });
    expect(paused.progress.steps.slice(0, 3)).toEqual([
      { name: 'verify', state: 'done' },
      { name: 'legal_hold_check', state: 'running' },
      { name: 'cancel_subscriptions', state: 'pending' },
    ]);
    await legal.client.post(`/api/legal/holds/${hold.id}/release`, { reason: 'Matter closed' });
    await waitForRequestStatus(platform, request.id, ['completed']);
    const done = await json(await legal.client.get(`/api/legal/requests/${request.id}`));
    expect(done.progress.steps.filter((s: { state: string }) => s.state !== 'done')).toEqual([]);
  });

  it('[R-HOLD] [D-ERASE] a deletion paused by a hold after it started can no longer be cancelled by its owner', async () => {
    const me = await signedIn(platform);
    const owner = { id: me.user.id, role: me.user.role };
    const db = em();
    const started = (steps: Record<string, string>) =>
      db.create(RightsRequest, {
        user: me.user.id,
        type: 'deletion',
        jurisdiction: 'GDPR',
        status: 'paused',
        pausedReason: 'legal_hold',
        createdAt: new Date(),
        verifiedAt: new Date(),
        dueAt: new Date(Date.now() + 30 * DAY),
        details: {},
        steps,
        verificationAttempts: 0,
      });
    // Files deleted, rows waiting for the hold's release: the deletion is under way.
    const midway = started({
      verify: 'done',
      legal_hold_check: 'done',
      delete_assets: 'done',
      erase_rows: 'waiting',
    });
    // Held before its start: the owner may still change their mind.
    const before = started({ verify: 'done', legal_hold_check: 'running' });
    await db.flush();

    expect((await getMyRequest(platform.clients, owner, midway.id)).canCancel).toBe(false);
    await expect(cancelRightsRequest(platform.clients, owner, midway.id)).rejects.toMatchObject({
      status: 409,
      code: 'not_cancellable',
      message: 'The deletion has started and can no longer be cancelled.',
    });
    expect((await loadRequest(platform, midway.id)).status).toBe('paused');

    expect((await getMyRequest(platform.clients, owner, before.id)).canCancel).toBe(true);
    const cancelled = await cancelRightsRequest(platform.clients, owner, before.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.progress!.steps.map((s) => s.state)).toEqual([
      'done',
      ...Array(DELETION_STEPS.length - 1).fill('skipped'),
    ]);
  });

  it('[D-VERIFY] making a request is a use case: one whose workflow cannot start is removed again, unaudited and unannounced', async () => {
    const me = await signedIn(platform);
    const owner = { id: me.user.id, role: me.user.role };
    const body = { type: 'objection' as const, jurisdiction: 'GDPR' as const, purposes: ['analytics'] };
    const unreachable = {
      workflow: {
        start: async () => {
          throw new Error('Temporal is unreachable');
        },
      },
    } as unknown as Client;
    const down = { ...platform.clients, temporal: { ...platform.clients.temporal, client: unreachable } };
    await expect(createRightsRequest(down, owner, body)).rejects.toThrow('Temporal is unreachable');
    expect(await em().count(RightsRequest, { user: me.user.id })).toBe(0);
    expect(
      await em().count(AuditEvent, { action: 'privacy.request_created', subjectUserId: me.user.id }),
    ).toBe(0);
    expect(await countMails(me.user.email, CODE_SUBJECT)).toBe(0);

    // Temporal back: the same call makes it, audits it and emails its code.
    const made = await createRightsRequest(platform.clients, owner, body);
    expect(made).toMatchObject({
      status: 'awaiting_verification',
      workflowId: workflowIds.rightsRequest(made.id),
      progress: {
        steps: [
          { name: 'verify', state: 'waiting' },
          { name: 'apply', state: 'pending' },
          { name: 'notify', state: 'pending' },
        ],
        counts: {},
      },
    });
    expect(await em().count(AuditEvent, { action: 'privacy.request_created', targetId: made.id })).toBe(1);
    await nextMail(me.user.email, CODE_SUBJECT);
  });
});

describe('the statutory clock', () => {
  /** A deletion that stays open: a legal hold on the person pauses it before it starts. */
  async function heldDeletion(jurisdiction: 'GDPR' | 'CCPA') {
    const me = await signedIn(platform);
    const hold = await json(
      await legal.client.post('/api/legal/holds', { userId: me.user.id, reason: 'Matter 2026-17: preserve' }),
    );
    const verified = await requestAndVerify(me.client, me.user.email, { type: 'deletion', jurisdiction });
    await waitForRequestStatus(platform, verified.id, ['paused']);
    return { me, hold, request: verified };
  }

  it('[D-CLOCK] [R-HOLD] sets the deadline at verification and shows it, with days left, to the user and the legal team', async () => {
    const { me, hold, request } = await heldDeletion('GDPR');
    const row = await loadRequest(platform, request.id);
    expect(row.dueAt!.getTime()).toBe(addCalendarMonths(row.verifiedAt!, 1).getTime());
    const mine = await json(await me.client.get(`/api/privacy/requests/${request.id}`));
    expect(mine).toMatchObject({
      status: 'paused',
      pausedReason: 'legal_hold',
      dueAt: row.dueAt!.toISOString(),
      extended: false,
    });
    expect(mine.daysLeft).toBeGreaterThanOrEqual(27);
    expect(mine.daysLeft).toBeLessThanOrEqual(31);
    expect(mine.progress.steps.find((s: { name: string }) => s.name === 'legal_hold_check').state).toBe(
      'running',
    );

    // The legal team sees it too, sorted by days left, with the workflow's steps.
    const list = await json(await legal.client.get('/api/legal/requests?status=open&limit=200'));
    const listed = list.requests.find((r: { id: string }) => r.id === request.id);
    expect(listed).toMatchObject({ daysLeft: mine.daysLeft, status: 'paused', userId: me.user.id });
    const days = list.requests.map((r: { daysLeft: number | null }) => r.daysLeft ?? Infinity);
    expect(days).toEqual([...days].sort((a: number, b: number) => a - b));
    // The search attribute operators filter by.
    const handle = platform.clients.temporal.client.workflow.getHandle(
      `account-deletion-${me.user.pseudonym}`,
    );
    const described = await handle.describe();
    expect((described.searchAttributes.DueAt as Date[])[0]!.getTime()).toBe(row.dueAt!.getTime());
    expect((await handle.query(requestProgressQuery)).pausedReason).toBe('legal_hold');

    // The owner may cancel while it is paused (nothing has started).
    const cancelled = await me.client.post(`/api/privacy/requests/${request.id}/cancel`);
    expect((await json(cancelled)).status).toBe('cancelled');
    await legal.client.post(`/api/legal/holds/${hold.id}/release`, { reason: 'done' });
    await handle.result();
    expect((await user(me.user.id)).status).toBe('active');
  });

  it('[D-CLOCK] extends a deadline once, with a reason emailed to the person, only within the first period', async () => {
    const { me, hold, request } = await heldDeletion('GDPR');
    const before = await loadRequest(platform, request.id);
    const reason = 'The request covers several years of archived jobs to review.';
    const res = await legal.client.post(`/api/legal/requests/${request.id}/extend`, { reason, months: 2 });
    expect(res.status).toBe(200);
    const extended = await json(res);
    const wanted = addCalendarMonths(before.dueAt!, 2);
    expect(extended).toMatchObject({
      extended: true,
      dueAt: wanted.toISOString(),
      originalDueAt: before.dueAt!.toISOString(),
      extensionReason: reason,
    });
    const notice = await waitForMail(me.user.email, /need more time/i);
    expect(notice.text).toContain(reason);
    expect(notice.text).toContain(wanted.toISOString().slice(0, 10));
    expect((await loadRequest(platform, request.id)).extensionNoticeSentAt).not.toBeNull();
    const again = await legal.client.post(`/api/legal/requests/${request.id}/extend`, { reason: 'more' });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe('already_extended');
    // The workflow hears of the new deadline by signal and shows it to operators as DueAt.
    const handle = platform.clients.temporal.client.workflow.getHandle(
      `account-deletion-${me.user.pseudonym}`,
    );
    await eventually(
      async () =>
        ((await handle.describe()).searchAttributes.DueAt as Date[])[0]!.getTime() === wanted.getTime(),
      10_000,
      'DueAt moved to the extended deadline',
    );
    const audit = await json(await legal.client.get(`/api/legal/requests/${request.id}/audit`));
    const actions = audit.events.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'privacy.request_created',
        'privacy.request_verified',
        'privacy.deadline_extended',
        'privacy.request_paused',
      ]),
    );
    await me.client.post(`/api/privacy/requests/${request.id}/cancel`);
    await legal.client.post(`/api/legal/holds/${hold.id}/release`, { reason: 'done' });

    // CCPA: 45 days, extendable by 45; never once the first period is over.
    const ccpa = await heldDeletion('CCPA');
    const row = await loadRequest(platform, ccpa.request.id);
    expect(row.dueAt!.getTime() - row.verifiedAt!.getTime()).toBe(CCPA_RESPONSE_DAYS * DAY);
    // The first period ends (the stored deadline is moved, as the clock would).
    await em().nativeUpdate(RightsRequest, { id: ccpa.request.id }, { dueAt: new Date(Date.now() - 1000) });
    const late = await legal.client.post(`/api/legal/requests/${ccpa.request.id}/extend`, { reason });
    expect(late.status).toBe(409);
    expect((await json(late)).error.code).toBe('too_late');
    await em().nativeUpdate(RightsRequest, { id: ccpa.request.id }, { dueAt: row.dueAt });
    const ok = await json(
      await legal.client.post(`/api/legal/requests/${ccpa.request.id}/extend`, { reason }),
    );
    expect(new Date(ok.dueAt).getTime() - row.dueAt!.getTime()).toBe(CCPA_EXTENSION_DAYS * DAY);
    await ccpa.me.client.post(`/api/privacy/requests/${ccpa.request.id}/cancel`);
    await legal.client.post(`/api/legal/holds/${ccpa.hold.id}/release`, { reason: 'done' });
  });

  it('[D-CCPA-2X] refuses a third California access request within 12 months, saying when the next is allowed', async () => {
    const me = await signedIn(platform);
    const first = await createRequest(me.client, { type: 'access', jurisdiction: 'CCPA' });
    await createRequest(me.client, { type: 'portability', jurisdiction: 'CCPA' });
    const third = await me.client.post('/api/privacy/requests', { type: 'access', jurisdiction: 'CCPA' });
    expect(third.status).toBe(429);
    const body = await json(third);
    expect(body.error.code).toBe('ccpa_limit_reached');
    const next = addCalendarMonths(new Date(first.createdAt), 12);
    expect(body.error.message).toContain(next.toISOString().slice(0, 10));
    expect(body.error.fields[0]).toEqual({ field: 'nextAllowedAt', message: next.toISOString() });
    // Other laws' requests are not limited; a cancelled request frees its place.
    expect(
      (await me.client.post('/api/privacy/requests', { type: 'access', jurisdiction: 'GDPR' })).status,
    ).toBe(201);
    expect((await me.client.post(`/api/privacy/requests/${first.id}/cancel`)).status).toBe(200);
    expect(
      (await me.client.post('/api/privacy/requests', { type: 'access', jurisdiction: 'CCPA' })).status,
    ).toBe(201);
  });
});

describe('restriction, objection, consent', () => {
  it('[D-RESTRICT] a restriction stops new generation, uploads and analytics until the user lifts it; both are audited', async () => {
    const me = await signedIn(platform, { credits: 50 });
    await me.client.put('/api/consents', { analytics: true, source: 'settings' });
    const on = await me.client.put('/api/privacy/restriction', { restricted: true });
    expect((await json(on)).restricted).toBe(true);
    const job = await createJob(me.client, jobRequest());
    expect(job.status).toBe(403);
    expect((await json(job)).error.code).toBe('processing_restricted');
    const upload = await me.client.post('/api/assets', {});
    expect((await json(upload)).error.code).toBe('processing_restricted');
    const analytics = await json(
      await me.client.post('/api/analytics/events', { events: [{ type: 'page_view', name: 'home' }] }),
    );
    expect(analytics).toEqual({ stored: 0, reason: 'restricted' });
    expect((await json(await me.client.get('/api/privacy/settings'))).restricted).toBe(true);

    const off = await me.client.put('/api/privacy/restriction', { restricted: false });
    expect((await json(off)).restricted).toBe(false);
    expect((await createJob(me.client, jobRequest())).status).toBe(201);
    const stored = await json(
      await me.client.post('/api/analytics/events', { events: [{ type: 'page_view', name: 'home' }] }),
    );
    expect(stored).toEqual({ stored: 1 });
    const events = await em().find(
      AuditEvent,
      { action: 'privacy.restriction_changed', subjectUserId: me.user.id },
      { orderBy: { id: 'asc' } },
    );
    expect(events.map((e) => e.details)).toEqual([{ restricted: true }, { restricted: false }]);
  });

  it('[D-OBJECT] an objection stops analytics and marketing, by switch or by request, and can be withdrawn', async () => {
    const me = await signedIn(platform);
    await me.client.put('/api/consents', { analytics: true, marketingEmail: true, source: 'settings' });
    const deps = { mailer: platform.clients.mailer, config: platform.config };
    const send = (campaignId: string) =>
      sendMarketingMail(deps, em(), {
        campaignId,
        userId: me.user.id,
        subject: 'News from Clipwise',
        body: 'New models are here.',
      });

    const objected = await json(
      await me.client.put('/api/privacy/objection', { analytics: true, marketing: true }),
    );
    expect(objected.objections).toEqual({ analytics: true, marketing: true });
    expect(
      await json(
        await me.client.post('/api/analytics/events', { events: [{ type: 'page_view', name: 'x' }] }),
      ),
    ).toEqual({ stored: 0, reason: 'objected' });
    expect(await send('objection-1')).toBe('objected');

    const withdrawn = await json(
      await me.client.put('/api/privacy/objection', { analytics: false, marketing: false }),
    );
    expect(withdrawn.objections).toEqual({ analytics: false, marketing: false });
    expect(await send('objection-2')).toBe('sent');
    const mail = await waitForMail(me.user.email, /News from Clipwise/);
    expect(mail.headers['list-unsubscribe']).toContain('/api/privacy/unsubscribe?');

    // As a rights request: verified, then applied by its workflow.
    const request = await requestAndVerify(me.client, me.user.email, {
      type: 'objection',
      jurisdiction: 'GDPR',
      purposes: ['marketing'],
    });
    await waitForRequestStatus(platform, request.id, ['completed']);
    expect((await user(me.user.id)).objectedToMarketingAt).not.toBeNull();
    expect((await user(me.user.id)).objectedToAnalyticsAt).toBeNull();
    expect(await send('objection-3')).toBe('objected');
    expect(
      await em().count(AuditEvent, { action: 'privacy.objection_changed', subjectUserId: me.user.id }),
    ).toBe(2);
  });

  it('[D-CONSENT] a withdrawal is a new consent record; earlier choices stay as they were', async () => {
    const me = await signedIn(platform);
    await me.client.put('/api/consents', { analytics: true, marketingEmail: true, source: 'banner' });
    const request = await requestAndVerify(me.client, me.user.email, {
      type: 'consent_withdrawal',
      jurisdiction: 'other',
      purposes: ['analytics', 'marketing_email'],
    });
    await waitForRequestStatus(platform, request.id, ['completed']);
    const rows = await em().find(Consent, { user: me.user.id }, { orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.purpose, r.granted])).toEqual([
      ['analytics', true],
      ['marketing_email', true],
      ['analytics', false],
      ['marketing_email', false],
    ]);
    const current = await json(await me.client.get('/api/consents'));
    expect(current.choices.analytics.granted).toBe(false);
    expect(current.choices.marketing_email.granted).toBe(false);
    expect((await waitForMail(me.user.email, /privacy request is done/)).text).toContain(
      'carried out the withdrawal of your consent',
    );
  });
});

describe('cost and reads without a worker', () => {
  it('[D-VERIFY] [D-ACCESS] [D-ERASE] progress written on the row costs no Temporal action: each workflow runs only its steps', async () => {
    const run = async (type: 'restriction' | 'access' | 'deletion') => {
      const me = await signedIn(platform);
      const request = await requestAndVerify(me.client, me.user.email, { type, jurisdiction: 'GDPR' });
      await waitForRequestStatus(platform, request.id, ['completed']);
      const view = await json(await legal.client.get(`/api/legal/requests/${request.id}`));
      expect(view.progress.steps.map((s: { state: string }) => s.state)).toEqual(
        view.progress.steps.map(() => 'done'),
      );
      return {
        view,
        actions: await historyActions(
          platform.clients.temporal.client.workflow.getHandle(request.workflowId),
        ),
      };
    };
    const restriction = await run('restriction');
    const access = await run('access');
    const deletion = await run('deletion');
    expect(restriction.view.progress.counts).toEqual({ changes: 1 });
    expect(access.view.progress.counts).toMatchObject({ entries: expect.any(Number), videos: 0 });
    expect(deletion.view.progress.counts).toMatchObject({
      sessionsRevoked: expect.any(Number),
      filesRemaining: 0,
    });
    // The activities of the steps, nothing more: the same as when the steps lived in the workflow only.
    expect(restriction.actions.activityTypes).toEqual([
      'claimRequest',
      'applyRightsRequest',
      'sendRequestCompleted',
      'completeRequest',
    ]);
    expect(access.actions.activityTypes).toEqual([
      'claimRequest',
      'buildExportArchive',
      'publishExport',
      'sendExportReady',
      'completeRequest',
    ]);
    expect(deletion.actions.activityTypes).toEqual([
      'deletionHolds',
      'claimRequest',
      'cancelSubscriptions',
      'suspendAccount',
      'cancelRunningJobs',
      'requestAssetDeletions',
      'assetDeletionStatus',
      'deletionHolds',
      'eraseAccountRows',
      'sendErasureNotices',
      'sendDeletionNotice',
      'anonymizeProfile',
      'issueDeletionCertificate',
      'completeRequest',
    ]);
    // Start, activities, the verification timer, the verified signal, the deadline's search attribute.
    const totals = [restriction, access, deletion].map((r) => r.actions.total);
    expect(totals).toEqual([8, 9, 19]);
  }, 120_000);

  it('[D-CLOCK] a request view answers at once from the database with the worker stopped, with the last known status and steps', async () => {
    const me = await signedIn(platform);
    const done = await requestAndVerify(me.client, me.user.email, {
      type: 'restriction',
      jurisdiction: 'GDPR',
    });
    await waitForRequestStatus(platform, done.id, ['completed']);
    const waiting = await createRequest(me.client, { type: 'access', jurisdiction: 'GDPR' });
    await platform.workers!.shutdown();

    const timed = async (path: string, client = me.client) => {
      const started = performance.now();
      const res = await client.get(path);
      const ms = performance.now() - started;
      expect(res.status, path).toBe(200);
      // The old view asked the workflow and waited up to 3 s for an answer that never came.
      expect(ms, path).toBeLessThan(1000);
      return json(res);
    };
    const states = (view: { progress: { steps: { state: string }[] } }) =>
      view.progress.steps.map((s) => s.state);
    const one = await timed(`/api/privacy/requests/${waiting.id}`);
    expect(one.status).toBe('awaiting_verification');
    expect(states(one)).toEqual(['waiting', 'pending', 'pending', 'pending', 'pending']);
    const finished = await timed(`/api/privacy/requests/${done.id}`);
    expect(finished.status).toBe('completed');
    expect(states(finished)).toEqual(['done', 'done', 'done']);
    const mine = await timed('/api/privacy/requests');
    expect(mine.requests.map((r: { id: string }) => r.id)).toEqual([waiting.id, done.id]);
    const legalOne = await timed(`/api/legal/requests/${waiting.id}`, legal.client);
    expect(states(legalOne)).toEqual(states(one));
    const legalList = await timed('/api/legal/requests?status=open&limit=200', legal.client);
    const listed = legalList.requests.find((r: { id: string }) => r.id === waiting.id);
    expect(states(listed)).toEqual(states(one));
  });
});
