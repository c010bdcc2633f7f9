// Helpers of the data-rights tests: making and confirming requests the way the site
// does (the code read from the emailed message), waiting on them, reading the export
// archive, and a worker in a child process that a test can kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { WorkflowHandle } from '@temporalio/client';
import yauzl from 'yauzl';
import { RightsRequest } from '../../db/entities/index.ts';
import type { TestClient } from '../support/client.ts';
import { json } from '../support/http.ts';
import { mailsTo, type CaughtMail } from '../support/mail.ts';
import type { TestPlatform } from '../support/platform.ts';

export const CODE_SUBJECT = /confirm your privacy request/i;

export function codeFrom(mail: CaughtMail): string {
  const match = /^\s+(\d{6})\s*$/m.exec(mail.text);
  if (!match) throw new Error(`no code in "${mail.subject}"`);
  return match[1]!;
}

/** Waits for the newest mail matching `subject` that arrived after `count` earlier ones. */
export async function nextMail(
  address: string,
  subject: RegExp,
  seen = 0,
  timeoutMs = 15_000,
): Promise<CaughtMail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await mailsTo(address)).filter((m) => subject.test(m.subject));
    if (found.length > seen) return found.at(-1)!;
    await sleep(100);
  }
  throw new Error(`no new mail to ${address} matching ${subject}`);
}

export async function countMails(address: string, subject: RegExp): Promise<number> {
  return (await mailsTo(address)).filter((m) => subject.test(m.subject)).length;
}

export async function createRequest(client: TestClient, body: Record<string, unknown>): Promise<any> {
  const res = await client.post('/api/privacy/requests', body);
  if (res.status !== 201) throw new Error(`request refused: ${res.status} ${await res.text()}`);
  return json(res);
}

/** Makes a request and confirms it with the code from its email; answers the verified view. */
export async function requestAndVerify(
  client: TestClient,
  email: string,
  body: Record<string, unknown>,
): Promise<any> {
  const seen = await countMails(email, CODE_SUBJECT);
  const request = await createRequest(client, body);
  const code = codeFrom(await nextMail(email, CODE_SUBJECT, seen));
  const res = await client.post(`/api/privacy/requests/${request.id}/verify`, { code });
  if (res.status !== 200) throw new Error(`verification refused: ${res.status} ${await res.text()}`);
  return json(res);
}

export async function loadRequest(platform: TestPlatform, id: string): Promise<RightsRequest> {
  return platform.clients.orm.em.fork().findOneOrFail(RightsRequest, { id });
}

export async function waitForRequestStatus(
  platform: TestPlatform,
  id: string,
  statuses: string[],
  timeoutMs = 60_000,
): Promise<RightsRequest> {
  const deadline = Date.now() + timeoutMs;
  let last: RightsRequest | undefined;
  while (Date.now() < deadline) {
    last = await loadRequest(platform, id);
    if (statuses.includes(last.status)) return last;
    await sleep(150);
  }
  throw new Error(`request ${id} not ${statuses.join('/')} in time (last ${last?.status})`);
}

/** What a workflow's history cost in Temporal actions: its start, activities, timers, signals, upserts. */
export interface HistoryActions {
  started: number;
  activities: number;
  timers: number;
  signals: number;
  upserts: number;
  total: number;
  /** The activities scheduled, in order. */
  activityTypes: string[];
}

/** Counted once the workflow ended: its row says done from its last activity, a moment before. */
export async function historyActions(handle: WorkflowHandle): Promise<HistoryActions> {
  await handle.result();
  const history = await handle.fetchHistory();
  const counted = { started: 0, activities: 0, timers: 0, signals: 0, upserts: 0 };
  const activityTypes: string[] = [];
  for (const event of history.events ?? []) {
    if (event.workflowExecutionStartedEventAttributes) counted.started++;
    if (event.timerStartedEventAttributes) counted.timers++;
    if (event.workflowExecutionSignaledEventAttributes) counted.signals++;
    if (event.upsertWorkflowSearchAttributesEventAttributes) counted.upserts++;
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      counted.activities++;
      activityTypes.push(scheduled.activityType?.name ?? '?');
    }
  }
  const total = Object.values(counted).reduce((sum, n) => sum + n, 0);
  return { ...counted, total, activityTypes };
}

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** Reads an object and unpacks it as a ZIP (yauzl, an independent reader). */
export async function readArchive(platform: TestPlatform, key: string): Promise<ZipEntry[]> {
  const { store } = platform.clients;
  const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
  const buffer = Buffer.from(await got.Body!.transformToByteArray());
  return unzip(buffer);
}

export function unzip(buffer: Buffer): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('not a zip'));
      const entries: ZipEntry[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return reject(streamErr ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            const data = Buffer.concat(chunks);
            // yauzl does not check it: a wrong CRC would fail any other unzip tool.
            if (crc32(data) !== entry.crc32) return reject(new Error(`${entry.fileName}: wrong CRC-32`));
            entries.push({ name: entry.fileName, data });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Parses the CSV the export writes (RFC 4180, CRLF rows). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

/** The platform's worker as its own process (worker/main.ts), so a test can kill it. */
export function startChildWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['worker/main.ts'], {
    env: { ...process.env, ...env, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (process.env.STACK_LOG) process.stderr.write(`worker | ${chunk.toString()}`);
  });
  return child;
}

export async function killWorker(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
