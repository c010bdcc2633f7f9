// [S-RBAC] The authorization walk: every route of the API, called as every kind of
// caller, answers as the policy below intends. The policy is written here by hand, not
// read from the route declarations, so a route whose declared access drifts from the
// intent fails; and a route added without an entry here fails too.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRoutes } from '../../api/app.ts';
import { createCsrf } from '../../api/auth/csrf.ts';
import { createSession } from '../../stores/accounts.ts';
import type { AnyRoute } from '../../api/route.ts';
import type { Role } from '../../domain/accounts.ts';
import {
  GenerationJob,
  Payment,
  ScriptProject,
  ScriptRevision,
  ScriptRevisionScene,
  ScriptScene,
  SupportTicket,
  type User,
} from '../../db/entities/index.ts';
import { Asset, DeletionCertificate, LegalHold, RightsRequest } from '../../db/entities/index.ts';
import { assetObjectKey } from '../../domain/retention.ts';
import { createAccount } from '../support/accounts.ts';
import { TestClient } from '../support/client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { ACCESS_POLICY, WALK_SCENE_ID, type Caller, type Intended } from './authorization.policy.ts';

let platform: TestPlatform;
let routes: AnyRoute[];
const users = {} as Record<Exclude<Caller, 'anonymous'>, User>;
/** Ids of records the owner (`creator`) has, for routes with an :id. */
const ownerRecords: Record<string, string> = {};

const STAFF: Role[] = ['support', 'legal', 'operator', 'admin'];

beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  routes = allRoutes({ ...platform.clients, csrf: createCsrf(platform.clients) });
  users.creator = await createAccount(platform);
  users.otherCreator = await createAccount(platform);
  users.unverified = await createAccount(platform, { verified: false });
  users.pendingMinor = await createAccount(platform, { status: 'awaiting_parental_consent' });
  for (const role of STAFF)
    users[role as Exclude<Caller, 'anonymous'>] = await createAccount(platform, { role, mfa: true });
  users.adminWithoutMfa = await createAccount(platform, { role: 'admin' });
  ownerRecords.user = users.creator.id;
  // A stored file of the owner (its deletion by the owner is part of the walk), and a
  // legal hold on a file nobody else needs.
  const assetId = randomUUID();
  const assets = platform.clients.orm.em.fork();
  await assets.insert(Asset, {
    id: assetId,
    user: users.creator.id,
    kind: 'input',
    status: 'stored',
    objectKey: assetObjectKey(users.creator.id, 'input', assetId),
    createdAt: new Date(),
    storedAt: new Date(),
    deleteAt: new Date(Date.now() + 60 * 60_000),
  });
  ownerRecords.asset = assetId;
  ownerRecords.legalHold = randomUUID();
  await assets.insert(LegalHold, {
    id: ownerRecords.legalHold,
    assetId: randomUUID(),
    reason: 'authorization walk',
    placedBy: users.legal.id,
    placedAt: new Date(),
  });
  // A finished job of the owner: routes answer without changing it (a cancel is refused as too late).
  const em = platform.clients.orm.em.fork();
  const job = em.create(GenerationJob, {
    user: users.creator.id,
    model: 'local-v1',
    provider: 'local',
    prompt: 'authorization walk',
    parameters: { durationSeconds: 2, aspectRatio: '16:9', resolution: '540p', inputs: [] },
    requestHash: '0'.repeat(64),
    status: 'succeeded',
    creditsQuoted: 2,
    creditsCharged: 2,
    createdAt: new Date(),
    finishedAt: new Date(),
  });
  await em.flush();
  ownerRecords.job = job.id;
  // A rights request of the owner waiting for its code (no workflow: the walk runs none),
  // and a finished deletion request with its certificate, for the legal team's routes.
  const request = em.create(RightsRequest, {
    user: users.creator.id,
    type: 'access',
    jurisdiction: 'GDPR',
    status: 'awaiting_verification',
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 60 * 60_000),
    origin: 'user',
    details: {},
    verificationAttempts: 0,
  });
  const certified = em.create(RightsRequest, {
    user: users.otherCreator.id,
    type: 'deletion',
    jurisdiction: 'GDPR',
    status: 'completed',
    createdAt: new Date(),
    origin: 'user',
    details: {},
    verificationAttempts: 0,
  });
  await em.flush();
  await em.insert(DeletionCertificate, {
    id: randomUUID(),
    requestId: certified.id,
    subjectId: randomUUID(),
    origin: 'user',
    issuedAt: new Date(),
    contents: { walk: true },
    certificateHash: '0'.repeat(64),
  });
  ownerRecords.privacyRequest = request.id;
  ownerRecords.certifiedRequest = certified.id;
  ownerRecords.jobId = job.id;
  ownerRecords.provider = 'luma';
  const payment = em.create(Payment, {
    id: `cs_walk_${users.creator.id}`,
    user: users.creator.id,
    pack: 'starter',
    credits: 100,
    amount: 500,
    currency: 'usd',
    status: 'paid',
    createdAt: new Date(),
  });
  await em.flush();
  ownerRecords.payment = payment.id;
  // A support ticket of the owner (the walk writes on it and closes it).
  const ticket = em.create(SupportTicket, {
    user: users.creator.id,
    subject: 'authorization walk',
    status: 'open',
    createdAt: new Date(),
    lastMessageAt: new Date(),
  });
  await em.flush();
  ownerRecords.supportTicket = ticket.id;
  // A script project of the owner with one scene and one composed revision (no workflow).
  const project = em.create(ScriptProject, {
    user: users.creator.id,
    title: 'authorization walk',
    script: 'walk',
    scriptFormat: 'text',
    splitMethod: 'local',
    aspectRatio: '16:9',
    resolution: '540p',
    voiceLanguage: 'en',
    status: 'ready',
    latestRevision: 1,
  });
  await em.flush();
  em.create(ScriptScene, {
    id: WALK_SCENE_ID,
    project: project.id,
    position: 1,
    text: 'walk',
    durationSeconds: 2,
    modelId: 'local-v1',
    seed: 1,
  });
  const revision = em.create(ScriptRevision, {
    project: project.id,
    number: 1,
    idempotencyKey: 'authorization-walk',
    status: 'composed',
    creditsQuoted: 0,
    aspectRatio: '16:9',
    resolution: '540p',
    burnSubtitles: false,
    voiceLanguage: 'en',
    durationSeconds: 2,
  });
  await em.flush();
  em.create(ScriptRevisionScene, {
    revision: revision.id,
    position: 1,
    sceneId: WALK_SCENE_ID,
    text: 'walk',
    durationSeconds: 2,
    modelId: 'local-v1',
    jobId: job.id,
    rendered: true,
  });
  await em.flush();
  ownerRecords.scriptProject = project.id;
  ownerRecords.sceneId = WALK_SCENE_ID;
  ownerRecords.number = '1';
});
afterAll(async () => {
  await platform?.stop();
});

/** A fresh session per call, so routes that sign out or rotate cannot disturb the next one. */
async function clientFor(caller: Caller): Promise<TestClient> {
  const client = new TestClient(platform.api.url);
  if (caller !== 'anonymous') {
    const em = platform.clients.orm.em.fork();
    const user = users[caller];
    const origin = { ip: client.ip, userAgent: 'authorization-walk' };
    const staffWithMfa = STAFF.includes(user.role) && caller !== 'adminWithoutMfa';
    const { token } = await createSession(em, user, origin, { mfaVerified: staffWithMfa });
    client.cookies.set('cw_session', token);
  }
  await client.refreshCsrf();
  return client;
}

/** Owner records that other routes of the walk may consume (a session signed out everywhere) are made afresh. */
const freshRecords: Record<string, () => Promise<string>> = {
  session: async () => {
    const origin = { ip: '10.0.0.1', userAgent: 'walk' };
    return (await createSession(platform.clients.orm.em.fork(), users.creator, origin)).session.id;
  },
};

async function pathFor(route: AnyRoute, intended: Intended): Promise<string> {
  let path = route.path;
  for (const [index, [, name]] of [...route.path.matchAll(/:([A-Za-z]+)/g)].entries()) {
    const record = index === 0 ? (intended.ownerRecord ?? name!) : name!;
    const id = freshRecords[record] ? await freshRecords[record]() : ownerRecords[record];
    if (!id) throw new Error(`no owner record "${record}" for ${route.method.toUpperCase()} ${route.path}`);
    path = path.replace(`:${name}`, id);
  }
  return path;
}

const CALLERS: Caller[] = [
  'anonymous',
  'creator',
  'otherCreator',
  'unverified',
  'pendingMinor',
  'support',
  'legal',
  'operator',
  'admin',
  'adminWithoutMfa',
];

function expectedOutcome(
  intended: Intended,
  caller: Caller,
): 'allowed' | 'not_found' | { status: number; code: string } {
  const { allow } = intended;
  if (allow === 'public') return 'allowed';
  if (caller === 'anonymous') return { status: 401, code: 'unauthenticated' };
  if (allow === 'session') return intended.ownerRecord && caller !== 'creator' ? 'not_found' : 'allowed';
  if (caller === 'pendingMinor') return { status: 403, code: 'parental_consent_required' };
  if (allow === 'signed-in' || allow === 'verified') {
    if (allow === 'verified' && caller === 'unverified') return { status: 403, code: 'email_unverified' };
    return intended.ownerRecord && caller !== 'creator' ? 'not_found' : 'allowed';
  }
  const role = users[caller].role;
  if (!allow.includes(role)) return { status: 403, code: 'forbidden' };
  if (caller === 'adminWithoutMfa') return { status: 403, code: 'mfa_required' };
  return intended.ownerRecord && role === 'creator' && caller !== 'creator' ? 'not_found' : 'allowed';
}

describe('authorization walk [S-RBAC]', () => {
  it('has an intended access entry for every route, and no entry for a route that does not exist', () => {
    const declared = routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort();
    expect(Object.keys(ACCESS_POLICY).sort()).toEqual(declared);
  });

  it('declares on every route the access the policy intends', () => {
    for (const route of routes) {
      const intended = ACCESS_POLICY[`${route.method.toUpperCase()} ${route.path}`]!;
      const declared = Array.isArray(route.access) ? [...route.access].sort() : route.access;
      const wanted = Array.isArray(intended.allow) ? [...intended.allow].sort() : intended.allow;
      expect(declared, `${route.method} ${route.path}`).toEqual(wanted);
    }
  });

  it('answers every (route, caller) pair as intended', async () => {
    let pairs = 0;
    const failures: string[] = [];
    for (const route of routes) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      const intended = ACCESS_POLICY[key]!;
      for (const caller of CALLERS) {
        const client = await clientFor(caller);
        const method = route.method.toUpperCase();
        const res = await client.request(
          method,
          await pathFor(route, intended),
          method === 'GET' ? undefined : (intended.probeBody ?? {}),
        );
        const body = res.headers.get('content-type')?.includes('json')
          ? ((await res.json()) as { error?: { code: string } })
          : {};
        const expected = expectedOutcome(intended, caller);
        pairs++;
        const got = `${res.status} ${body.error?.code ?? ''}`.trim();
        if (expected === 'allowed') {
          const refused =
            res.status === 401 || res.status === 403 || (res.status === 404 && !intended.mayBeNotConfigured);
          if (refused) failures.push(`${key} as ${caller}: expected access, got ${got}`);
        } else if (expected === 'not_found') {
          if (res.status !== 404) failures.push(`${key} as ${caller}: expected 404 (not theirs), got ${got}`);
        } else if (res.status !== expected.status || body.error?.code !== expected.code) {
          failures.push(`${key} as ${caller}: expected ${expected.status} ${expected.code}, got ${got}`);
        }
      }
    }
    console.log(
      JSON.stringify({ authorizationWalk: { routes: routes.length, callers: CALLERS.length, pairs } }),
    );
    expect(failures).toEqual([]);
    expect(pairs).toBe(routes.length * CALLERS.length);
  }, 300_000);
});
