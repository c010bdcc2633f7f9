// Mail a relay refuses for good (an unknown or suppressed mailbox, a 5xx reply) does not
// stop the process that sent it: retrying cannot deliver it, and before, the step that
// sent it retried forever. A policy announcement stopped at the refused person, and
// everyone after them never heard of the change; an account deletion never got past its
// last email, so the profile stayed. The platform here sends through a relay on loopback
// that refuses the addresses a test names and hands every other message to the stack's
// mail catcher. The announcement mails every account in its database, so this file has a
// database of its own.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Asset, EmailLog } from '../../db/entities/index.ts';
import { SIGN_IN_LOCKOUT } from '../../domain/accounts.ts';
import { assetObjectKey } from '../../domain/retention.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { VERIFICATION_MAX_ATTEMPTS } from '../../domain/rights-request.ts';
import { MailNotSent, createMailer } from '../../platform/mail.ts';
import { createAnnouncementActivities } from '../../activities/announcement.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { sendLoggedMail } from '../../stores/mail.ts';
import {
  TEST_PASSWORD,
  createAccount,
  signedIn,
  uniqueEmail,
  type TestAccount,
} from '../support/accounts.ts';
import { TestClient } from '../support/client.ts';
import { eventually } from '../support/assets.ts';
import { createScratchDatabase, type ScratchDatabase } from '../support/database.ts';
import { json } from '../support/http.ts';
import { waitForMail } from '../support/mail.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { startRefusingRelay, type RefusingRelay } from '../support/refusing-relay.ts';
import {
  CODE_SUBJECT,
  codeFrom,
  countMails,
  createRequest,
  nextMail,
  requestAndVerify,
  waitForRequestStatus,
} from './rights-request.support.ts';

let database: ScratchDatabase;
let relay: RefusingRelay;
let platform: TestPlatform;
let legal: TestAccount;

beforeAll(async () => {
  const stackEnv = inject('stackEnv');
  database = await createScratchDatabase(stackEnv);
  relay = await startRefusingRelay(stackEnv.SMTP_URL);
  platform = await startTestPlatform({ env: { DATABASE_URL: database.url, SMTP_URL: relay.smtpUrl } });
  legal = await signedIn(platform, { role: 'legal', mfa: true });
});
afterAll(async () => {
  await platform?.stop();
  await relay?.close();
  await database?.drop();
});
const em = () => platform.clients.orm.em.fork();
const ZERO_ID = '00000000-0000-0000-0000-000000000000';

/** A policy version published by the legal team (emailed to everyone when material). */
async function publishPolicy(version: string, summary: string, material: boolean) {
  const res = await legal.client.post('/api/legal/policy-versions', {
    version,
    summary,
    material,
    requiresConsent: false,
  });
  expect(res.status).toBe(201);
  return json(res);
}

/** A new account whose deletion is asked for and confirmed with the emailed code. */
async function verifiedDeletion(on: TestPlatform) {
  const me = await signedIn(on);
  const request = await requestAndVerify(me.client, me.user.email, {
    type: 'deletion',
    jurisdiction: 'GDPR',
  });
  return { me, request };
}

describe('mail refused for good', () => {
  it('[D-POLICY] a policy change reaches everyone else when one mailbox refuses it and another defers it, and the deferred one gets it once mail goes through', async () => {
    // The batch goes by id: the deferred one comes first, before everyone it must not hold up.
    const people = [
      await signedIn(platform),
      await signedIn(platform),
      await signedIn(platform),
      await signedIn(platform),
    ];
    const [deferred, first, refused, last] = people.sort((a, b) => (a.user.id < b.user.id ? -1 : 1)) as [
      TestAccount,
      TestAccount,
      TestAccount,
      TestAccount,
    ];
    relay.refuse(refused.user.email);
    relay.defer(deferred.user.email);
    const version = '2027-02-01';
    const published = await publishPolicy(version, 'We now keep support tickets for 3 years.', true);
    const handle = platform.clients.temporal.client.workflow.getHandle(published.announcementWorkflowId);
    const logOf = (user: TestAccount) =>
      em().findOne(EmailLog, { dedupeKey: `policy:${version}:${user.user.id}` });

    // Everyone else is reached while the deferred mailbox still defers.
    for (const reached of [first, last]) await waitForMail(reached.user.email, /Our privacy policy changed/);
    await eventually(async () => (await logOf(refused))?.outcome === 'refused', 10_000, 'the refusal logged');
    await eventually(
      async () => relay.offered(deferred.user.email) >= 2,
      30_000,
      'the deferred one tried again',
    );
    expect(await logOf(deferred)).toBeNull();
    expect((await handle.describe()).status.name).toBe('RUNNING');

    relay.accept(deferred.user.email);
    await waitForMail(deferred.user.email, /Our privacy policy changed/, 60_000);
    await eventually(
      async () => (await handle.describe()).status.name === 'COMPLETED',
      30_000,
      'the announcement',
    );
    expect(await handle.result()).toMatchObject({ skipped: 1 });
    expect((await logOf(deferred))?.outcome).toBe('sent');
    expect(relay.offered(refused.user.email)).toBe(1);
    expect(relay.delivered).not.toContain(refused.user.email);
  });

  it("[D-POLICY] a relay that fails as a whole fails an announcement's batch, for Temporal to retry, instead of passing everyone by", async () => {
    const version = '2027-03-01';
    await publishPolicy(version, 'Wording only.', false);
    await signedIn(platform);
    // Nothing listens on this port: the connection itself is refused, for every address.
    const down = createMailer({
      smtpUrl: `smtp://127.0.0.1:${await freePort()}`,
      from: platform.config.mail.from,
    });
    const { sendAnnouncementBatch } = createAnnouncementActivities({
      orm: platform.clients.orm,
      config: platform.config,
      mailer: down,
    });
    try {
      await expect(
        sendAnnouncementBatch({ announcement: { kind: 'policy', version }, afterId: ZERO_ID }),
      ).rejects.toBeInstanceOf(MailNotSent);
    } finally {
      down.transport.close();
    }
    expect(await em().count(EmailLog, { dedupeKey: { $like: `policy:${version}:%` } })).toBe(0);
  });

  it('[D-ERASE] an account deletion finishes when the last email to the person is refused', async () => {
    const { me, request } = await verifiedDeletion(platform);
    // The mailbox goes after the code came: the deletion's last email meets the refusal.
    relay.refuse(me.user.email);
    const offeredBefore = relay.offered(me.user.email);
    const done = await waitForRequestStatus(platform, request.id, ['completed'], 45_000);
    expect(done.completedAt).toBeTruthy();
    expect(relay.offered(me.user.email) - offeredBefore).toBe(1);
  });

  it('[D-ERASE] an account deletion finishes when its last email is deferred past the delivery window', async () => {
    // A platform whose delivery window is 1.5 s instead of 5 days, on the same database.
    const shortWindow = await startTestPlatform({
      env: { DATABASE_URL: database.url, SMTP_URL: relay.smtpUrl, DURATION_OVERRIDES: 'mailDelivery=1500' },
    });
    try {
      const { me, request } = await verifiedDeletion(shortWindow);
      relay.defer(me.user.email);
      const offeredBefore = relay.offered(me.user.email);
      await waitForRequestStatus(shortWindow, request.id, ['completed'], 45_000);
      // Tried again within the window before it was given up.
      expect(relay.offered(me.user.email) - offeredBefore).toBeGreaterThanOrEqual(2);
      expect(relay.delivered.filter((to) => to === me.user.email)).toHaveLength(1); // the code
    } finally {
      await shortWindow.stop();
    }
  });

  it('[S-BREACH] an incident notice a mailbox refuses is counted as refused, and the notices finish', async () => {
    const [reached, refused] = [await signedIn(platform), await signedIn(platform)];
    relay.refuse(refused.user.email);
    const at = new Date('2020-05-01T12:00:00Z');
    for (const person of [reached, refused]) {
      const id = randomUUID();
      await em().insert(Asset, {
        id,
        user: person.user.id,
        kind: 'input',
        status: 'stored',
        objectKey: assetObjectKey(person.user.id, 'input', id),
        contentType: 'image/png',
        createdAt: at,
        storedAt: at,
        deleteAt: new Date(at.getTime() + 30 * 86_400_000),
      });
    }
    const res = await legal.client.post('/api/legal/incidents', {
      title: `refused ${randomUUID()}`,
      description: 'A misconfigured backup exposed uploaded images for a day.',
      measures: 'The backup was removed. No action is needed from you.',
      categories: ['uploads'],
      discoveredAt: new Date(Date.now() - 3_600_000).toISOString(),
      windowStart: new Date('2020-05-01T00:00:00Z').toISOString(),
      windowEnd: new Date('2020-05-02T00:00:00Z').toISOString(),
    });
    expect(res.status).toBe(201);
    const { id } = await json(res);
    const view = await eventually(
      async () => {
        const seen = await json(await legal.client.get(`/api/legal/incidents/${id}`));
        return seen.noticesCompletedAt ? seen : undefined;
      },
      30_000,
      'the notices',
    );
    expect(view.notices).toMatchObject({ sent: 1, refused: 1, unconfirmed: 0, pending: 0 });
    expect(relay.offered(refused.user.email)).toBe(1);
    await waitForMail(reached.user.email, /security incident affected your Clipwise data/);
  });

  it('[D-VERIFY] a request whose code the mailbox refused says so; a new code the relay defers is a 503 that leaves the code before it working', async () => {
    const me = await signedIn(platform);
    relay.refuse(me.user.email);
    const created = await createRequest(me.client, { type: 'access', jurisdiction: 'GDPR' });
    expect(created.verification).toMatchObject({ codeRefused: true });
    const listed = await json(await me.client.get('/api/privacy/requests'));
    expect(listed.requests.find((r: { id: string }) => r.id === created.id).verification.codeRefused).toBe(
      true,
    );

    relay.accept(me.user.email);
    const seen = await countMails(me.user.email, CODE_SUBJECT);
    const resent = await json(await me.client.post(`/api/privacy/requests/${created.id}/code`));
    expect(resent.verification).toMatchObject({
      codeRefused: false,
      attemptsLeft: VERIFICATION_MAX_ATTEMPTS,
    });
    const code = codeFrom(await nextMail(me.user.email, CODE_SUBJECT, seen));
    // A relay that defers the address now: the person is told to try again, nothing is logged.
    relay.defer(me.user.email);
    const deferredAsk = await me.client.post(`/api/privacy/requests/${created.id}/code`);
    expect(deferredAsk.status).toBe(503);
    expect((await json(deferredAsk)).error.code).toBe('mail_unavailable');
    relay.accept(me.user.email);
    const verified = await me.client.post(`/api/privacy/requests/${created.id}/verify`, { code });
    expect(verified.status).toBe(200);
    expect((await json(verified)).verification).toBeNull();
  });

  it('[S-RATE] a relay that defers mail changes no answer that must not tell whether an address has an account', async () => {
    const registered = await createAccount(platform, { verified: false });
    const unknown = uniqueEmail('nobody');
    for (const address of [registered.email, unknown]) relay.defer(address);
    const answer = async (path: string, body: Record<string, unknown>) => {
      const client = new TestClient(platform.api.url);
      await client.refreshCsrf();
      const res = await client.post(path, body);
      const { error, ...rest } = (await json(res)) as { error?: { code: string } };
      return { status: res.status, code: error?.code, rest };
    };
    const both = async (path: string, body: (email: string) => Record<string, unknown>) => {
      const [known, nobody] = [await answer(path, body(registered.email)), await answer(path, body(unknown))];
      expect(known).toEqual(nobody);
      return known;
    };

    expect((await both('/api/auth/password-reset/request', (email) => ({ email }))).status).toBe(202);
    expect((await both('/api/auth/resend-verification', (email) => ({ email }))).status).toBe(202);
    expect(
      (
        await both('/api/auth/sign-up', (email) => ({
          name: 'Ada Example',
          email,
          password: TEST_PASSWORD,
          dateOfBirth: '1990-05-17',
          acceptPolicyVersion: POLICY_VERSION,
        }))
      ).status,
    ).toBe(202);
    // Locking an address emails its owner: the lock answers the same for both.
    for (let i = 0; i < SIGN_IN_LOCKOUT.freeFailures; i++) {
      await both('/api/auth/sign-in', (email) => ({ email, password: `wrong-${i}` }));
    }
    expect(await both('/api/auth/sign-in', (email) => ({ email, password: 'wrong' }))).toMatchObject({
      status: 429,
      code: 'sign_in_locked',
    });
    // Each mail to the registered address was tried (reset, link, already registered, lock).
    expect(relay.offered(registered.email)).toBe(4);
  });

  it('[R-SUPPORT-3Y] a passing refusal throws for a retry and logs nothing; the retry sends', async () => {
    const address = `deferred-${randomUUID().slice(0, 8)}@example.test`;
    relay.defer(address);
    const deps = { mailer: platform.clients.mailer, config: platform.config };
    const entry = {
      dedupeKey: `deferred:${address}`,
      userId: null,
      template: 'test',
      category: 'transactional',
    } as const;
    const message = { to: address, subject: 'Deferred, then sent', text: 'Hello' };
    await expect(sendLoggedMail(deps, em(), entry, message)).rejects.toBeInstanceOf(MailNotSent);
    expect(await em().count(EmailLog, { dedupeKey: entry.dedupeKey })).toBe(0);
    relay.accept(address);
    expect(await sendLoggedMail(deps, em(), entry, message)).toBe('sent');
    expect(await sendLoggedMail(deps, em(), entry, message)).toBe('already_sent');
    expect((await em().findOneOrFail(EmailLog, { dedupeKey: entry.dedupeKey })).outcome).toBe('sent');
    await waitForMail(address, /Deferred, then sent/);
  });

  it('[R-SUPPORT-3Y] a passing refusal within the delivery window throws; past it, the mail is logged undelivered once', async () => {
    const address = `undelivered-${randomUUID().slice(0, 8)}@example.test`;
    relay.defer(address);
    const deps = { mailer: platform.clients.mailer, config: platform.config };
    const entry = (deliverBy: Date) =>
      ({
        dedupeKey: `undelivered:${address}`,
        userId: null,
        template: 'test',
        category: 'transactional',
        deliverBy,
      }) as const;
    const message = { to: address, subject: 'Never delivered', text: 'Hello' };
    const later = new Date(Date.now() + 60_000);
    await expect(sendLoggedMail(deps, em(), entry(later), message)).rejects.toBeInstanceOf(MailNotSent);
    expect(await em().count(EmailLog, { dedupeKey: `undelivered:${address}` })).toBe(0);
    const past = new Date(Date.now() - 1);
    expect(await sendLoggedMail(deps, em(), entry(past), message)).toBe('undelivered');
    const log = await em().findOneOrFail(EmailLog, { dedupeKey: `undelivered:${address}` });
    expect(log.outcome).toBe('undelivered');
    // Logged: never tried again, even once the relay would take it.
    relay.accept(address);
    expect(await sendLoggedMail(deps, em(), entry(later), message)).toBe('undelivered');
    expect(relay.offered(address)).toBe(2);
  });
});
