// Parental consent expires (D-MINOR) and consent is recorded at sign-up (D-POLICY,
// D-CONSENT), through the real sign-up: an account awaiting a parent's confirmation has
// its own timer (`parental-consent-<userId>`), shortened here by configuration; unconfirmed
// when it fires, the account is deleted keeping nothing; confirmed, it stays.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consent, User } from '../../db/entities/index.ts';
import { PARENTAL_CONSENT_PERIOD_MS, TOKEN_TTL_MS } from '../../domain/accounts.ts';
import { POLICY_VERSION } from '../../domain/retention-policy.ts';
import { EXPORT_CATEGORIES } from '../../activities/rights-request/categories.ts';
import { categoryRows } from '../../activities/rights-request/export-format.ts';
import { TEST_PASSWORD, signIn, uniqueEmail } from '../support/accounts.ts';
import { eventually } from '../support/assets.ts';
import { TestClient } from '../support/client.ts';
import { json } from '../support/http.ts';
import { tokenFrom, waitForMail } from '../support/mail.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { rowsMentioning } from '../support/residue.ts';

const PERIOD_MS = 4000;

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { DURATION_OVERRIDES: `parentalConsent=${PERIOD_MS}` } });
});
afterAll(async () => {
  await platform?.stop();
});
const em = () => platform.clients.orm.em.fork();

async function signUp(body: Record<string, unknown>) {
  const client = new TestClient(platform.api.url);
  await client.refreshCsrf();
  const res = await client.post('/api/auth/sign-up', {
    password: TEST_PASSWORD,
    acceptPolicyVersion: POLICY_VERSION,
    ...body,
  });
  expect(res.status).toBe(202);
  return client;
}

const minorBirthday = () => `${new Date().getUTCFullYear() - 15}-01-15`;

describe('consent recorded at sign-up', () => {
  it('[D-POLICY] [D-CONSENT] stores the accepted version on the account and as a consent record, shown in the privacy center and the export', async () => {
    const email = uniqueEmail('signup');
    await signUp({ name: 'Ada Example', email, dateOfBirth: '1990-01-01' });
    const user = await em().findOneOrFail(User, { email });
    expect(user.policyVersionAccepted).toBe(POLICY_VERSION);
    expect(user.policyAcceptedAt).toBeInstanceOf(Date);
    const [consent] = await em().find(Consent, { user: user.id, purpose: 'privacy_policy' });
    expect(consent).toMatchObject({ granted: true, policyVersion: POLICY_VERSION, source: 'sign_up' });

    await em().nativeUpdate(User, { id: user.id }, { emailVerifiedAt: new Date() });
    const client = await signIn(platform, user);
    const settings = await json(await client.get('/api/privacy/settings'));
    expect(settings.policy).toMatchObject({ acceptedVersion: POLICY_VERSION, acceptanceRequired: false });

    // What the person's data export carries (the same queries the export runs).
    const rows = async (name: string) => {
      const out: Record<string, unknown>[] = [];
      for await (const row of categoryRows(
        em(),
        EXPORT_CATEGORIES.find((c) => c.name === name)!,
        user.id,
      ))
        out.push(row);
      return out;
    };
    expect((await rows('profile'))[0]).toMatchObject({ policyVersionAccepted: POLICY_VERSION });
    expect(await rows('consents')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ purpose: 'privacy_policy', policyVersion: POLICY_VERSION }),
      ]),
    );
  });
});

describe('parental consent', () => {
  it("[D-MINOR] waits for the parent as long as the policy says: the consent link's life", () => {
    expect(PARENTAL_CONSENT_PERIOD_MS).toBe(TOKEN_TTL_MS.parental_consent);
    expect(PARENTAL_CONSENT_PERIOD_MS).toBe(7 * 24 * 3_600_000);
  });

  it('[D-MINOR] deletes an account whose parent has not confirmed within the period, keeping nothing', async () => {
    const email = uniqueEmail('minor');
    const name = `Minor ${randomUUID().slice(0, 8)}`;
    await signUp({ name, email, dateOfBirth: minorBirthday(), parentEmail: uniqueEmail('parent') });
    const user = await em().findOneOrFail(User, { email });
    expect(user.status).toBe('awaiting_parental_consent');
    const workflow = platform.clients.temporal.client.workflow.getHandle(`parental-consent-${user.id}`);
    expect((await workflow.describe()).status.name).toBe('RUNNING');

    expect(await workflow.result()).toBe('deleted');
    expect(await em().findOne(User, { id: user.id })).toBeNull();
    // Nothing about the account is left in any table but the audit log, whose append-only
    // hash chain records that it happened (see README, "What a deletion leaves").
    const hits = await rowsMentioning(em(), [user.id, email, name]);
    expect(hits.filter((h) => h.needle !== user.id)).toEqual([]);
    expect(hits.filter((h) => h.table !== 'audit_events')).toEqual([]);
  }, 60_000);

  it('[D-MINOR] keeps an account the parent confirmed in time: the confirmation ends its timer', async () => {
    const email = uniqueEmail('minor');
    const parent = uniqueEmail('parent');
    await signUp({ name: 'Kept Minor', email, dateOfBirth: minorBirthday(), parentEmail: parent });
    const token = tokenFrom(await waitForMail(parent, /would like to use Clipwise/));
    const anyone = new TestClient(platform.api.url);
    await anyone.refreshCsrf();
    expect((await anyone.post('/api/auth/parental-consent/confirm', { token })).status).toBe(200);
    const user = await em().findOneOrFail(User, { email });
    const workflow = platform.clients.temporal.client.workflow.getHandle(`parental-consent-${user.id}`);
    expect(await workflow.result()).toBe('confirmed');
    await eventually(
      async () => (await em().findOne(User, { id: user.id, status: 'active' })) ?? undefined,
      5000,
    );
  });
});
