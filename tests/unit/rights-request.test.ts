// Pure parts of the data-rights features: the named limits, the export's CSV and JSON
// writers, signed links, the policy gate's rule, the certificate's canonical form, and
// the readable summary.
import { describe, expect, it } from 'vitest';
import { EXPORT_CATEGORIES, exportSummary } from '../../activities/rights-request/categories.ts';
import {
  columnNames,
  csvCell,
  batched,
  csvChunks,
  jsonChunks,
} from '../../activities/rights-request/export-format.ts';
import { signLink, verifyLink } from '../../platform/links.ts';
import { newVerificationCode } from '../../use-cases/rights-request.ts';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { CERTIFICATE_LINK_TTL_MS, canonicalJson } from '../../domain/account-deletion.ts';
import { policyAcceptanceRequired } from '../../domain/policy.ts';
import {
  UNVERIFIED_REQUEST_TTL_MS,
  VERIFICATION_CODE_DIGITS,
  VERIFICATION_CODE_TTL_MS,
  VERIFICATION_MAX_ATTEMPTS,
  requestDaysLeft,
} from '../../domain/rights-request.ts';
import { DAY, MINUTE } from '../../domain/time.ts';

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}
async function* rows<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('data-rights limits', () => {
  it('[D-VERIFY] a 6-digit code, 10 minutes, 3 tries; unverified requests end after 7 days', () => {
    expect(VERIFICATION_CODE_DIGITS).toBe(6);
    expect(VERIFICATION_CODE_TTL_MS).toBe(10 * MINUTE);
    expect(VERIFICATION_MAX_ATTEMPTS).toBe(3);
    expect(UNVERIFIED_REQUEST_TTL_MS).toBe(7 * DAY);
  });

  it('[D-VERIFY] stores a keyed hash bound to the request, never the code', () => {
    const a = newVerificationCode('secret-secret-secret', 'req-1');
    expect(a.code).toMatch(/^\d{6}$/);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hash).not.toContain(a.code);
    const codes = new Set(Array.from({ length: 50 }, () => newVerificationCode('s'.repeat(20), 'r').code));
    expect(codes.size).toBeGreaterThan(40);
  });

  it('[D-ACCESS] the export archive is kept 7 days, the deletion certificate link works 30', () => {
    expect(RETENTION_POLICY.export.keepMs).toBe(7 * DAY);
    expect(CERTIFICATE_LINK_TTL_MS).toBe(30 * DAY);
  });
});

describe('export writers', () => {
  it('[D-ACCESS] writes CSV cells per RFC 4180 and never as spreadsheet formulas', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, "b"')).toBe('"a, ""b"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvCell(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02T03:04:05.000Z');
  });

  it('[D-ACCESS] streams rows into valid JSON and CSV, empty or not', async () => {
    expect(JSON.parse(await collect(jsonChunks(rows([]))))).toEqual([]);
    let counted = 0;
    const text = await collect(
      jsonChunks(
        rows([
          { a: 1, at: new Date(0) },
          { a: 2, at: null },
        ]),
        () => counted++,
      ),
    );
    expect(JSON.parse(text)).toEqual([
      { a: 1, at: '1970-01-01T00:00:00.000Z' },
      { a: 2, at: null },
    ]);
    expect(counted).toBe(2);
    expect(await collect(csvChunks(['a', 'b'], rows([{ a: 1, b: 'x,y' }])))).toBe('a,b\r\n1,"x,y"\r\n');
  });

  it('[D-ACCESS] hands the writer the same text in pieces of at least the batch size', async () => {
    async function* pieces() {
      for (let i = 0; i < 1000; i++) yield `row ${i};`;
    }
    const out: string[] = [];
    for await (const piece of batched(pieces(), 100)) out.push(piece);
    expect(out.join('')).toBe(Array.from({ length: 1000 }, (_, i) => `row ${i};`).join(''));
    expect(out.slice(0, -1).every((p) => p.length >= 100 && p.length < 110)).toBe(true);
    expect(out.length).toBeGreaterThan(50);
    const none: string[] = [];
    for await (const piece of batched(rows<string>([]), 100)) none.push(piece);
    expect(none).toEqual([]);
  });

  it('[D-ACCESS] every category has a purpose, a source, a retention rule and named columns', () => {
    const names = EXPORT_CATEGORIES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const c of EXPORT_CATEGORIES) {
      expect(c.purpose.length).toBeGreaterThan(10);
      expect(c.source.length).toBeGreaterThan(5);
      expect(c.retention.length).toBeGreaterThan(5);
      expect(columnNames(c)).toHaveLength(c.columns.length);
    }
    const summary = exportSummary({
      requestId: 'r',
      type: 'portability',
      generatedAt: new Date(0),
      counts: { profile: 1 },
      providers: ['luma'],
      videos: 2,
    });
    for (const rule of Object.values(RETENTION_POLICY)) expect(summary).toContain(rule.period);
    expect(summary).toContain('luma: the prompts and input images');
    expect(summary).toContain('videos/ (2)');
  });
});

describe('signed links', () => {
  it('[D-UNSUB] verifies only the purpose, id and time it was made for', () => {
    const secret = 'x'.repeat(32);
    const now = 1_000_000;
    const token = signLink(secret, 'unsubscribe', 'user-1', now + 1000);
    expect(verifyLink(secret, 'unsubscribe', 'user-1', token, now)).toBe(true);
    expect(verifyLink(secret, 'unsubscribe', 'user-2', token, now)).toBe(false);
    expect(verifyLink(secret, 'certificate', 'user-1', token, now)).toBe(false);
    expect(verifyLink(secret, 'unsubscribe', 'user-1', token, now + 1000)).toBe(false);
    expect(verifyLink('y'.repeat(32), 'unsubscribe', 'user-1', token, now)).toBe(false);
    expect(
      verifyLink(secret, 'unsubscribe', 'user-1', token.replace(/^\d+/, String(now + 99_999)), now),
    ).toBe(false);
    expect(verifyLink(secret, 'unsubscribe', 'user-1', 'garbage', now)).toBe(false);
  });
});

describe('policy acceptance and deadlines', () => {
  it('[D-POLICY] asks only accounts older than the change, until they accept it', () => {
    const change = { version: 'v2', publishedAt: new Date('2027-01-01T00:00:00Z') };
    const old = { createdAt: new Date('2026-06-01T00:00:00Z') };
    expect(policyAcceptanceRequired(old, null)).toBe(false);
    expect(policyAcceptanceRequired(old, change)).toBe(true);
    expect(
      policyAcceptanceRequired({ ...old, policyAcceptedAt: new Date('2027-01-02T00:00:00Z') }, change),
    ).toBe(false);
    expect(
      policyAcceptanceRequired({ ...old, policyAcceptedAt: new Date('2026-12-01T00:00:00Z') }, change),
    ).toBe(true);
    expect(policyAcceptanceRequired({ createdAt: new Date('2027-02-01T00:00:00Z') }, change)).toBe(false);
  });

  it('[D-CLOCK] counts days left to the deadline in force', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(requestDaysLeft({ dueAt: null }, now)).toBeNull();
    expect(requestDaysLeft({ dueAt: new Date('2026-01-31T00:00:00Z') }, now)).toBe(30);
    expect(
      requestDaysLeft(
        { dueAt: new Date('2026-01-31T00:00:00Z'), extendedDueAt: new Date('2026-03-31T00:00:00Z') },
        now,
      ),
    ).toBe(89);
    expect(requestDaysLeft({ dueAt: new Date('2025-12-31T12:00:00Z') }, now)).toBe(-1);
  });
});

describe('certificates', () => {
  it('[R-PROOF] hash the same contents the same way, whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson({ a: undefined, t: new Date(0) })).toBe('{"t":"1970-01-01T00:00:00.000Z"}');
    // Sorted by code point whatever the order given, so a reader in another language agrees.
    const keys = ['delta', 'alpha', 'Zulu', 'echo', 'charlie', 'bravo', 'alpha2'];
    const sorted = '{"Zulu":0,"alpha":0,"alpha2":0,"bravo":0,"charlie":0,"delta":0,"echo":0}';
    expect(canonicalJson(Object.fromEntries(keys.map((k) => [k, 0])))).toBe(sorted);
    expect(canonicalJson(Object.fromEntries(keys.reverse().map((k) => [k, 0])))).toBe(sorted);
    expect(canonicalJson([[1, 'x'], []])).toBe('[[1,"x"],[]]');
  });
});
