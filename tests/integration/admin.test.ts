// Staff accounts from the command line (`npm run admin`, use-cases/staff.ts): the first
// admin enrols through a one-time link, must turn on two-factor authentication before
// any staff route answers (S-MFA), and every command is audited (S-AUDIT). The CLI runs
// as a child process against the test stack, as an operator would run it.
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { AuditEvent, Session, User } from '../../db/entities/index.ts';
import {
  StaffCommandError,
  createStaffAccount,
  listStaff,
  parseRoleList,
  resealMfaSeeds,
  setStaffRole,
} from '../../use-cases/staff.ts';
import { newMfaSeed, verifyTotp } from '../../stores/accounts-credentials.ts';
import { TEST_PASSWORD, createAccount, signIn, uniqueEmail } from '../support/accounts.ts';
import { runScript } from '../support/cli.ts';
import { TestClient } from '../support/client.ts';
import { createScratchDatabase } from '../support/database.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, testConfig, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();
const deps = () => ({ orm: platform.clients.orm, config: platform.config });
const admin = (...args: string[]) =>
  runScript('scripts/admin.ts', args, {
    ...inject('stackEnv'),
    PUBLIC_WEB_URL: platform.config.web.publicUrl,
  });
const linkIn = (stdout: string) => {
  const match = /(https?:\/\/\S+\/reset-password\?token=\S+)/.exec(stdout);
  if (!match) throw new Error(`no enrolment link in:\n${stdout}`);
  return match[1]!;
};
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

async function anonymous(): Promise<TestClient> {
  const client = new TestClient(platform.api.url);
  await client.refreshCsrf();
  return client;
}
async function passwordSignIn(email: string, password: string): Promise<TestClient> {
  const client = await anonymous();
  const res = await client.post('/api/auth/sign-in', { email, password });
  expect(res.status).toBe(200);
  client.csrfToken = (await json(res)).csrfToken;
  return client;
}
/** A code for the next 30-second step: the one used to turn MFA on cannot be replayed. */
const nextCode = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
const auditActions = async (userId: string) =>
  (await em().find(AuditEvent, { subjectUserId: userId }, { orderBy: { id: 'asc' } })).map((e) => e.action);

describe('the first admin, from the command line to a staff page', () => {
  it('[S-MFA] [S-AUDIT] creates an admin whose one-time link sets a password, then staff routes open only after two-factor set-up and verification', async () => {
    const email = uniqueEmail('first-admin');
    const newPassword = 'a long enrolment passphrase';
    const created = await admin('create-admin', '--email', email.toUpperCase(), '--name', 'Ada Admin');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const link = linkIn(created.stdout);
    expect(link.startsWith(`${platform.config.web.publicUrl}/reset-password?token=`)).toBe(true);

    const user = await em().findOneOrFail(User, { email });
    expect(user).toMatchObject({ role: 'admin', status: 'active', passwordHash: null, mfaEnabledAt: null });
    expect(user.emailVerifiedAt).not.toBeNull();
    // No password opens the account before enrolment.
    const early = await (await anonymous()).post('/api/auth/sign-in', { email, password: newPassword });
    expect(early.status).toBe(401);

    // The link chooses the password through the site's password form, once.
    const visitor = await anonymous();
    const set = await visitor.post('/api/auth/password-reset/confirm', {
      token: tokenOf(link),
      newPassword,
    });
    expect(set.status).toBe(200);
    const again = await visitor.post('/api/auth/password-reset/confirm', {
      token: tokenOf(link),
      newPassword: 'someone else entirely',
    });
    expect(again.status).toBe(400);
    expect((await json(again)).error.code).toBe('invalid_token');

    // Signed in with the password alone, the staff routes stay shut.
    const first = await passwordSignIn(email, newPassword);
    const shut = await first.get(`/api/staff/users?email=${encodeURIComponent(email)}`);
    expect(shut.status).toBe(403);
    expect((await json(shut)).error.code).toBe('mfa_required');

    // The site's own two-factor set-up, with an authenticator (otplib).
    const setup = await first.post('/api/account/mfa/setup');
    expect(setup.status).toBe(200);
    const { secret } = await json(setup);
    const enable = await first.post('/api/account/mfa/enable', { code: await generate({ secret }) });
    expect(enable.status).toBe(200);
    expect((await json(enable)).recoveryCodes).toHaveLength(10);

    // A later sign-in needs the code before any staff route answers.
    const later = await passwordSignIn(email, newPassword);
    const beforeCode = await later.get(`/api/staff/users?email=${encodeURIComponent(email)}`);
    expect((await json(beforeCode)).error.code).toBe('mfa_required');
    const verified = await later.post('/api/auth/mfa/verify', { code: await nextCode(secret) });
    expect(verified.status).toBe(200);
    later.csrfToken = (await json(verified)).csrfToken;
    const open = await later.get(`/api/staff/users?email=${encodeURIComponent(email)}`);
    expect(open.status).toBe(200);
    expect((await json(open)).users.map((u: { email: string }) => u.email)).toEqual([email]);

    expect(await auditActions(user.id)).toEqual(
      expect.arrayContaining([
        'staff.account_created',
        'staff.enrolment_link_issued',
        'staff.enrolment_password_set',
        'account.mfa_enabled',
        'auth.mfa_verified',
      ]),
    );
    // The link is a credential: it is in no audit event.
    const events = await em().find(AuditEvent, { subjectUserId: user.id });
    expect(JSON.stringify(events)).not.toContain(tokenOf(link));
  });

  it('gives a staff member who has not enrolled a new link that replaces the old, and leaves an enrolled one alone', async () => {
    const email = uniqueEmail('support-staff');
    const first = await createStaffAccount(deps(), { email, name: 'Sam Support', role: 'support' });
    expect(first.outcome).toBe('created');
    const second = await createStaffAccount(deps(), { email, name: 'Sam Support', role: 'support' });
    expect(second.outcome).toBe('link_reissued');
    expect(await em().count(User, { email })).toBe(1);
    if (first.outcome === 'already_enrolled' || second.outcome === 'already_enrolled')
      throw new Error('enrolled');

    const client = await anonymous();
    const stale = await client.post('/api/auth/password-reset/confirm', {
      token: tokenOf(first.enrolmentLink),
      newPassword: TEST_PASSWORD,
    });
    expect(stale.status).toBe(400);
    const fresh = await client.post('/api/auth/password-reset/confirm', {
      token: tokenOf(second.enrolmentLink),
      newPassword: TEST_PASSWORD,
    });
    expect(fresh.status).toBe(200);

    const third = await createStaffAccount(deps(), { email, name: 'Sam Support', role: 'support' });
    expect(third).toMatchObject({ outcome: 'already_enrolled', account: { passwordSet: true } });
    expect('enrolmentLink' in third).toBe(false);
  });

  it('refuses to make staff out of an existing account by creation, naming the command that does, with exit code 65', async () => {
    const creator = await createAccount(platform);
    await expect(
      createStaffAccount(deps(), { email: creator.email, name: 'X', role: 'legal' }),
    ).rejects.toThrow(/already exists with role creator.*set-roles --email/);
    const run = await admin('create-staff', '--email', creator.email, '--name', 'X', '--role', 'legal');
    expect(run.code).toBe(65);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/set-roles/);
    expect((await em().findOneOrFail(User, { id: creator.id })).role).toBe('creator');
  });

  it('answers bad usage with exit code 64 and says what is wrong', async () => {
    const badRole = await admin('create-staff', '--email', uniqueEmail(), '--name', 'X', '--role', 'root');
    expect(badRole.code).toBe(64);
    expect(badRole.stderr).toMatch(/"root" is not a staff role; use one of support, legal, operator, admin/);
    const badEmail = await admin('create-admin', '--email', 'not-an-address', '--name', 'X');
    expect(badEmail.code).toBe(64);
    expect(badEmail.stderr).toMatch(/"not-an-address" is not an email address/);
    expect(() => parseRoleList('admin,legal')).toThrow(/An account holds one role, not 2/);
    expect(() => parseRoleList('admin,wizard')).toThrow(/Unknown role "wizard"/);
    expect(parseRoleList(' Legal ')).toBe('legal');
  });
});

describe('roles and the staff list', () => {
  it('[S-RBAC] [S-AUDIT] changes an account to one role, ends its sessions, audits it, and does nothing when the role is already set', async () => {
    const person = await createAccount(platform, { role: 'support', mfa: true });
    const client = await signIn(platform, person);
    expect((await client.get(`/api/staff/users?email=${encodeURIComponent(person.email)}`)).status).toBe(200);

    const changed = await setStaffRole(deps(), { email: person.email, role: 'legal', reason: 'moved team' });
    expect(changed).toMatchObject({ outcome: 'changed', from: 'support', account: { role: 'legal' } });
    expect(changed.revokedSessions).toBeGreaterThan(0);
    expect(await em().count(Session, { user: person.id, revokedAt: null })).toBe(0);
    expect((await client.get('/api/account')).status).toBe(401);

    const unchanged = await setStaffRole(deps(), { email: person.email, role: 'legal' });
    expect(unchanged).toMatchObject({ outcome: 'unchanged', revokedSessions: 0 });
    const events = await em().find(AuditEvent, { subjectUserId: person.id, action: 'staff.role_changed' });
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({
      from: 'support',
      to: 'legal',
      via: 'cli',
      reason: 'moved team',
    });

    const cli = await admin('set-roles', '--email', person.email, '--roles', 'creator');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/role legal -> creator/);
    expect((await em().findOneOrFail(User, { id: person.id })).role).toBe('creator');

    const unknown = await admin('set-roles', '--email', uniqueEmail('nobody'), '--roles', 'legal');
    expect(unknown.code).toBe(65);
    expect(unknown.stderr).toMatch(/No account uses/);
  });

  it('keeps the only active admin an admin', async () => {
    // A database of its own, where this admin really is the only one.
    const scratch = await createScratchDatabase(inject('stackEnv'));
    try {
      const scratchDeps = { orm: await scratch.orm(), config: platform.config };
      const only = uniqueEmail('only-admin');
      await createStaffAccount(scratchDeps, { email: only, name: 'Only Admin', role: 'admin' });
      const refused = setStaffRole(scratchDeps, { email: only, role: 'legal' });
      await expect(refused).rejects.toBeInstanceOf(StaffCommandError);
      await expect(refused).rejects.toThrow(/only active admin/);
      await createStaffAccount(scratchDeps, {
        email: uniqueEmail('second-admin'),
        name: 'Two',
        role: 'admin',
      });
      expect((await setStaffRole(scratchDeps, { email: only, role: 'legal' })).outcome).toBe('changed');
    } finally {
      await scratch.drop();
    }
  });

  it('[S-AUDIT] lists staff with email, role and enrolment state and no secrets, and records that it was listed', async () => {
    const enrolled = await createAccount(platform, { role: 'operator', mfa: true });
    const pending = uniqueEmail('pending-legal');
    await createStaffAccount(deps(), { email: pending, name: 'Pat Pending', role: 'legal' });
    const creator = await createAccount(platform);
    const listingsBefore = await em().count(AuditEvent, { action: 'staff.listed' });

    const run = await admin('list-staff', '--json');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as Record<string, unknown>[];
    const byEmail = new Map(rows.map((r) => [r.email, r]));
    expect(byEmail.get(enrolled.email)).toMatchObject({
      role: 'operator',
      passwordSet: true,
      mfaEnabled: true,
    });
    expect(byEmail.get(pending)).toMatchObject({ role: 'legal', passwordSet: false, mfaEnabled: false });
    expect(byEmail.has(creator.email)).toBe(false);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(
        ['createdAt', 'email', 'id', 'mfaEnabled', 'passwordSet', 'role', 'status'].sort(),
      );
    }
    expect(run.stdout).not.toMatch(/argon2|Test Person|Pat Pending/);

    const table = await admin('list-staff');
    expect(table.stdout).toMatch(new RegExp(`${pending.replace('.', '\\.')}\\s+legal\\s+active\\s+no`));

    expect((await listStaff(deps())).some((s) => s.email === pending)).toBe(true);
    const listed = await em().find(AuditEvent, { action: 'staff.listed' }, { orderBy: { id: 'desc' } });
    expect(listed).toHaveLength(listingsBefore + 3);
    expect(listed[0]!.details).toMatchObject({ via: 'cli', count: expect.any(Number) });
    expect(listed[0]!.actorRole).toBe('cli');
  });
});

describe('rotating SESSION_SECRET', () => {
  it('[S-MFA] re-seals two-factor seeds under the new secret so codes keep working, and is safe to run twice', async () => {
    const scratch = await createScratchDatabase(inject('stackEnv'));
    try {
      const oldSecret = 'the secret being replaced, 32+ chars';
      const rotated = testConfig({ SESSION_SECRET: 'the new session secret, also long enough' });
      const orm = await scratch.orm();
      const seeded = newMfaSeed(oldSecret);
      const em = orm.em.fork();
      const user = em.create(User, {
        email: uniqueEmail('rotated'),
        name: 'R',
        role: 'operator',
        mfaSecret: seeded.sealed,
        mfaEnabledAt: new Date(),
      });
      const stranger = em.create(User, {
        email: uniqueEmail('stranger'),
        name: 'S',
        role: 'legal',
        mfaSecret: newMfaSeed('some third secret, unknown here').sealed,
        mfaEnabledAt: new Date(),
      });
      await em.flush();
      const code = await generate({ secret: seeded.seed });
      const fresh = () => orm.em.fork().findOneOrFail(User, { id: user.id });
      await expect(verifyTotp(orm.em.fork(), rotated.sessionSecret, await fresh(), code)).rejects.toThrow();

      const rotatedDeps = { orm, config: rotated };
      expect(await resealMfaSeeds(rotatedDeps, { oldSecret })).toEqual({
        resealed: 1,
        alreadyCurrent: 0,
        unreadable: 1,
      });
      expect(await verifyTotp(orm.em.fork(), rotated.sessionSecret, await fresh(), code)).toBe(true);
      expect(await resealMfaSeeds(rotatedDeps, { oldSecret })).toEqual({
        resealed: 0,
        alreadyCurrent: 1,
        unreadable: 1,
      });
      expect((await orm.em.fork().findOneOrFail(User, { id: stranger.id })).mfaSecret).not.toBeNull();

      const audit = await orm.em.fork().find(AuditEvent, { action: 'staff.mfa_seeds_resealed' });
      expect(audit.map((e) => e.details)).toEqual([
        expect.objectContaining({ resealed: 1, unreadable: 1 }),
        expect.objectContaining({ resealed: 0, alreadyCurrent: 1 }),
      ]);
      expect(JSON.stringify(audit)).not.toContain(oldSecret);
      await expect(resealMfaSeeds(rotatedDeps, { oldSecret: rotated.sessionSecret })).rejects.toThrow(
        /nothing to re-seal/,
      );
    } finally {
      await scratch.drop();
    }
  });
});
