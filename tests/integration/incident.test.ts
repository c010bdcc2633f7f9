// Breach incidents (S-BREACH) on the real stack: legal staff record one; its workflow
// finds the affected people from the data (their uploads existed in the incident's time
// window), emails each once, and tracks the 72-hour deadline for the authority. A worker
// SIGKILLed while the notices go out sends nobody two emails. The incident's window is in
// 2020 and 2019, where only this file's rows are: other tests' data never falls in it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Asset, AuditEvent, Incident, IncidentNotice } from '../../db/entities/index.ts';
import { AUTHORITY_DEADLINE_MS, INCIDENT_CATEGORIES } from '../../domain/incident.ts';
import { assetObjectKey } from '../../domain/retention.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { createAccount, signedIn, type TestAccount } from '../support/accounts.ts';
import { eventually } from '../support/assets.ts';
import { json } from '../support/http.ts';
import { mailsTo } from '../support/mail.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createTestNamespace } from '../support/temporal.ts';

const WINDOW = { start: new Date('2020-03-01T00:00:00Z'), end: new Date('2020-03-02T00:00:00Z') };
/** The killed worker's incident has a window of its own (2019), so the first test's people are not in it. */
const KILL_WINDOW = { start: new Date('2019-06-01T00:00:00Z'), end: new Date('2019-06-02T00:00:00Z') };
const SUBJECT = /security incident affected your Clipwise data/;

let platform: TestPlatform;
let legal: TestAccount;
beforeAll(async () => {
  platform = await startTestPlatform();
  legal = await signedIn(platform, { role: 'legal', mfa: true });
});
afterAll(async () => {
  await platform?.stop();
});

/** An upload row of the person, stored at `at` (and deleted at `deletedAt`), for the window's queries. */
async function uploadAt(p: TestPlatform, userId: string, at: Date, deletedAt: Date | null = null) {
  const id = randomUUID();
  await p.clients.orm.em.fork().insert(Asset, {
    id,
    user: userId,
    kind: 'input',
    status: deletedAt ? 'deleted' : 'stored',
    objectKey: assetObjectKey(userId, 'input', id),
    contentType: 'image/png',
    createdAt: at,
    storedAt: at,
    deleteAt: new Date(at.getTime() + 30 * 86_400_000),
    deletedAt,
  });
}

const incidentBody = (title: string, window = WINDOW) => ({
  title,
  description: 'A misconfigured backup exposed uploaded images for a day.',
  measures: 'The backup was removed and access logs reviewed. No action is needed from you.',
  categories: ['uploads'],
  discoveredAt: new Date(Date.now() - 3_600_000).toISOString(),
  windowStart: window.start.toISOString(),
  windowEnd: window.end.toISOString(),
});

describe('breach incidents', () => {
  it('[S-BREACH] finds the affected people of every data category (each its own query), here nobody', async () => {
    const window = { start: new Date('2018-01-01T00:00:00Z'), end: new Date('2018-01-02T00:00:00Z') };
    const res = await legal.client.post('/api/legal/incidents', {
      ...incidentBody(`every category ${randomUUID()}`, window),
      categories: [...INCIDENT_CATEGORIES],
    });
    expect(res.status).toBe(201);
    const { id } = await json(res);
    const done = await eventually(
      async () => {
        const view = await json(await legal.client.get(`/api/legal/incidents/${id}`));
        return view.noticesCompletedAt ? view : undefined;
      },
      30_000,
      'the notices',
    );
    expect(done).toMatchObject({ affectedCount: 0, notices: { sent: 0, pending: 0 } });
  });

  it('[S-BREACH] records an incident with its 72-hour deadline, finds the affected people from the data, emails each once and records every step', async () => {
    const inside = await createAccount(platform);
    const deletedBefore = await createAccount(platform);
    const after = await createAccount(platform);
    await uploadAt(platform, inside.id, new Date('2020-03-01T12:00:00Z'));
    await uploadAt(
      platform,
      deletedBefore.id,
      new Date('2020-02-01T00:00:00Z'),
      new Date('2020-02-15T00:00:00Z'),
    );
    await uploadAt(platform, after.id, new Date('2020-03-05T00:00:00Z'));

    const res = await legal.client.post('/api/legal/incidents', incidentBody(`backup ${randomUUID()}`));
    expect(res.status).toBe(201);
    const recorded = await json(res);
    expect(new Date(recorded.deadlineAt).getTime() - new Date(recorded.discoveredAt).getTime()).toBe(
      AUTHORITY_DEADLINE_MS,
    );
    expect(recorded.authority.status).toBe('due');

    const notified = await eventually(
      async () => {
        const view = await json(await legal.client.get(`/api/legal/incidents/${recorded.id}`));
        return view.noticesCompletedAt ? view : undefined;
      },
      30_000,
      'the notices',
    );
    expect(notified).toMatchObject({
      affectedCount: 1,
      status: 'notified',
      notices: { sent: 1, pending: 0, unconfirmed: 0 },
    });
    const mails = await mailsTo(inside.email);
    expect(mails.filter((m) => SUBJECT.test(m.subject))).toHaveLength(1);
    expect(mails[0]!.text).toContain('A misconfigured backup exposed uploaded images');
    for (const other of [deletedBefore, after]) {
      expect((await mailsTo(other.email)).filter((m) => SUBJECT.test(m.subject))).toHaveLength(0);
    }

    const listed = await json(await legal.client.get('/api/legal/incidents'));
    expect(listed.incidents.map((i: { id: string }) => i.id)).toContain(recorded.id);
    const done = await json(
      await legal.client.post(`/api/legal/incidents/${recorded.id}/authority-notified`, {
        reference: 'DPA-2026-0042',
      }),
    );
    expect(done.authority).toMatchObject({ status: 'notified', reference: 'DPA-2026-0042' });
    const closed = await eventually(
      async () => {
        const row = await platform.clients.orm.em.fork().findOneOrFail(Incident, { id: recorded.id });
        return row.closedAt ? row : undefined;
      },
      20_000,
      'the close',
    );
    const times = [
      closed.recordedAt,
      closed.affectedFoundAt,
      closed.noticesStartedAt,
      closed.noticesCompletedAt,
      closed.closedAt,
    ];
    expect(times.every(Boolean)).toBe(true);
    const actions = (await platform.clients.orm.em.fork().find(AuditEvent, { targetId: recorded.id })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'incident.recorded',
        'incident.affected_found',
        'incident.notices_sent',
        'incident.authority_notified',
        'incident.closed',
      ]),
    );
    expect(
      (
        await legal.client.post(`/api/legal/incidents/${recorded.id}/authority-notified`, {
          reference: 'again',
        })
      ).status,
    ).toBe(409);
    const creator = await signedIn(platform);
    expect((await creator.client.get('/api/legal/incidents')).status).toBe(403);
  }, 90_000);
});

describe('a worker killed while the notices go out', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
  });

  function startWorkerProcess(namespace: string): ChildProcess & { output: () => string } {
    let output = '';
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../worker/main.ts', import.meta.url))], {
      env: { ...process.env, ...inject('stackEnv'), TEMPORAL_NAMESPACE: namespace, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    children.push(child);
    return Object.assign(child, { output: () => output });
  }

  it('[S-BREACH] sends nobody two emails when the worker is SIGKILLed mid-batch, and finishes once a worker is back', async () => {
    const namespace = await createTestNamespace(inject('stackEnv').TEMPORAL_ADDRESS!);
    const isolated = await startTestPlatform({ workers: false, env: { TEMPORAL_NAMESPACE: namespace } });
    try {
      const people = await Promise.all(Array.from({ length: 40 }, () => createAccount(isolated)));
      const day = new Date('2019-06-01T06:00:00Z');
      for (const person of people) await uploadAt(isolated, person.id, day);
      const staff = await signedIn(isolated, { role: 'legal', mfa: true });
      const first = startWorkerProcess(namespace);
      await eventually(
        async () => {
          const queue = await isolated.clients.temporal.client.workflowService.describeTaskQueue({
            namespace,
            taskQueue: { name: TASK_QUEUES.privacy },
          });
          return (queue.pollers?.length ?? 0) > 0;
        },
        60_000,
        `first worker polling (${first.output()})`,
      );

      const recorded = await json(
        await staff.client.post('/api/legal/incidents', incidentBody(`kill ${randomUUID()}`, KILL_WINDOW)),
      );
      const em = () => isolated.clients.orm.em.fork();
      const sentSoFar = () => em().count(IncidentNotice, { incident: recorded.id, status: 'sent' });
      // Killed while notices are going out: some sent, not all.
      await eventually(async () => (await sentSoFar()) >= 5, 60_000, `notices started (${first.output()})`);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const atKill = await sentSoFar();
      expect(atKill).toBeLessThan(people.length);

      const second = startWorkerProcess(namespace);
      const final = await eventually(
        async () => {
          const row = await em().findOneOrFail(Incident, { id: recorded.id });
          return row.noticesCompletedAt ? row : undefined;
        },
        90_000,
        `notices completed (${second.output()})`,
      );
      expect(final.affectedCount).toBe(people.length);

      const notices = await em().find(IncidentNotice, { incident: recorded.id });
      const received = new Map<string, number>();
      for (const person of people) {
        received.set(person.id, (await mailsTo(person.email)).filter((m) => SUBJECT.test(m.subject)).length);
      }
      // Nobody got two; everyone recorded as sent got exactly one; at most the one notice
      // being sent when the worker died is unconfirmed (and it went at most once).
      expect(Math.max(...received.values())).toBeLessThanOrEqual(1);
      for (const notice of notices) {
        if (notice.status === 'sent') expect(received.get(notice.user!)).toBe(1);
      }
      const unconfirmed = notices.filter((n) => n.status === 'unconfirmed');
      expect(unconfirmed.length).toBeLessThanOrEqual(1);
      expect(notices.filter((n) => n.status === 'sent').length + unconfirmed.length).toBe(people.length);
      console.log(
        JSON.stringify({
          incidentKill: { people: people.length, sentBeforeKill: atKill, unconfirmed: unconfirmed.length },
        }),
      );
    } finally {
      await isolated.stop();
    }
  }, 240_000);
});
