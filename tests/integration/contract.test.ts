// The API's contract as an integrator reads it (GET /api/openapi.json) and as the API
// enforces it: every header a call needs is declared with its rule, every request body
// (the multipart upload too) and every error with its code; and a request that breaks a
// rule is told which one, by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import { json } from '../support/http.ts';
import { jobRequest } from '../support/generation.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let creator: TestAccount;
let doc: {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; required?: boolean; schema?: { pattern?: string } }[];
        requestBody?: { content: Record<string, unknown> };
        responses: Record<
          string,
          {
            content?: Record<
              string,
              { schema: { properties: { error: { properties: { code: { enum: string[] } } } } } }
            >;
          }
        >;
      }
    >
  >;
};
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  creator = await signedIn(platform, { credits: 100 });
  doc = await json(await platform.fetch('/api/openapi.json'));
});
afterAll(async () => {
  await platform?.stop();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
const codesOf = (op: (typeof doc.paths)[string][string], status: string) =>
  op.responses[status]?.content?.['application/json']?.schema.properties.error.properties.code.enum ?? [];

describe('the OpenAPI document', () => {
  it('declares the CSRF header on every state-changing call made with cookies, and only there', () => {
    for (const { path, method, op } of operations()) {
      const csrf = op.parameters?.find((p) => p.in === 'header' && p.name === 'X-CSRF-Token');
      const webhook = path.startsWith('/api/webhooks/');
      const expected = method !== 'get' && !webhook && path !== '/api/privacy/unsubscribe';
      expect({ path, method, csrf: Boolean(csrf?.required) }).toEqual({ path, method, csrf: expected });
    }
  });

  it('declares Idempotency-Key on job creation, required, with its format', () => {
    const create = doc.paths['/api/jobs']!.post!;
    const key = create.parameters?.find((p) => p.in === 'header' && p.name === 'Idempotency-Key');
    expect(key).toMatchObject({ required: true });
    expect(key?.schema?.pattern).toBe('^[A-Za-z0-9_.:-]{8,128}$');
    expect(codesOf(create, '409')).toEqual(expect.arrayContaining(['idempotency_key_reused']));
  });

  it('declares the upload as a multipart body with its file, and every error a call can give by code', () => {
    expect(Object.keys(doc.paths['/api/assets']!.post!.requestBody!.content)).toEqual([
      'multipart/form-data',
    ]);
    expect(codesOf(doc.paths['/api/assets']!.post!, '415')).toEqual(
      expect.arrayContaining(['unsupported_file_type', 'multipart_required']),
    );
    for (const { path, method, op } of operations()) {
      expect({ path, method, internal: codesOf(op, '500') }).toEqual({
        path,
        method,
        internal: ['internal'],
      });
      if (op.parameters?.some((p) => p.in === 'path')) expect(codesOf(op, '404')).toContain('not_found');
    }
  });
});

describe('errors that name the broken rule', () => {
  it('refuses a JSON body sent as text/plain with 415, naming the type it needs', async () => {
    const res = await creator.client.request('POST', '/api/quotes', jobRequest(), {
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(415);
    const { error } = await json(res);
    expect(error.code).toBe('unsupported_media_type');
    expect(error.message).toContain('application/json');
    expect(error.message).toContain('text/plain');
  });

  it('tells a too-short Idempotency-Key from a missing one, with the rule', async () => {
    const short = await creator.client.request('POST', '/api/jobs', jobRequest(), {
      'idempotency-key': 'abc',
    });
    expect(short.status).toBe(400);
    const shortField = (await json(short)).error.fields[0];
    expect(shortField).toMatchObject({ field: 'Idempotency-Key' });
    expect(shortField.message).toContain('8 to 128');
    expect(shortField.message).toContain('3 characters');
    const missing = await creator.client.request('POST', '/api/jobs', jobRequest());
    expect((await json(missing)).error.fields[0].message).toMatch(/^Required/);
  });

  it('names the CSRF header a state-changing request lacks', async () => {
    const res = await creator.client.request(
      'PUT',
      '/api/account/preferences',
      { theme: 'dark' },
      { 'x-csrf-token': '' },
    );
    expect(res.status).toBe(403);
    const { error } = await json(res);
    expect(error.code).toBe('csrf_failed');
    expect(error.message).toContain('X-CSRF-Token');
  });
});
