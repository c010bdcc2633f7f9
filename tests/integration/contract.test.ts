// The API's contract as an integrator reads it (GET /api/openapi.json) and as the API
// enforces it: every header a call needs is declared with its rule, every request body
// (the multipart upload too) and every error with its code; and a request that breaks a
// rule is told which one, by name.
import { randomUUID } from 'node:crypto';
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

describe('the answers the API gives are the ones it documents', () => {
  // Found by the API fuzz test: each of these was answered with a status or an error code
  // the document did not name (schemathesis' status-code and response-schema checks).
  const calls: [string, string, unknown, number, string][] = [
    [
      'post',
      '/api/auth/sign-in',
      { email: 'nobody@example.com', password: 'not the password' },
      401,
      'invalid_credentials',
    ],
    ['post', '/api/auth/verify-email', { token: 'x'.repeat(32) }, 400, 'invalid_token'],
    [
      'post',
      '/api/auth/password-reset/confirm',
      { token: 'x'.repeat(32), newPassword: 'a long new password' },
      400,
      'invalid_token',
    ],
    ['post', '/api/account/mfa/disable', { code: '123456' }, 409, 'mfa_not_enabled'],
    ['post', '/api/account/mfa/enable', { code: '123456' }, 409, 'mfa_not_set_up'],
    ['post', '/api/webhooks/stripe', {}, 400, 'invalid_signature'],
  ];
  it.each(calls)('%s %s (%j): its %i %s is in the document', async (method, path, body, status, code) => {
    const res = await creator.client.request(method.toUpperCase(), path, body);
    expect(res.status).toBe(status);
    expect((await json(res)).error.code).toBe(code);
    expect(codesOf(doc.paths[path]![method]!, String(status))).toContain(code);
  });

  it('POST /api/jobs naming a parent job that is not mine: its 404 not_found is in the document', async () => {
    const res = await creator.client.request(
      'POST',
      '/api/jobs',
      { ...jobRequest(), parentJobId: randomUUID() },
      { 'idempotency-key': `contract-${randomUUID()}` },
    );
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('not_found');
    expect(codesOf(doc.paths['/api/jobs']!.post!, '404')).toContain('not_found');
  });

  it('documents a redirect as a redirect, and the replayed job creation’s 200', () => {
    for (const path of ['/api/auth/google/start', '/api/auth/google/callback']) {
      const op = doc.paths[path]!.get!;
      expect(Object.keys(op.responses)).toContain('303');
      expect(Object.keys(op.responses)).not.toContain('200');
    }
    expect(Object.keys(doc.paths['/api/jobs']!.post!.responses)).toEqual(
      expect.arrayContaining(['200', '201']),
    );
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

  it('refuses text holding a NUL character with 400 naming the field, not a 500 from the database', async () => {
    // Found by the API fuzz: a hold's reason with U+0000 reached PostgreSQL, which refused it.
    const legal = await signedIn(platform, { role: 'legal', mfa: true });
    const hold = await legal.client.post('/api/legal/holds', {
      userId: creator.user.id,
      reason: 'Preserve \u0000 everything',
    });
    expect(hold.status).toBe(400);
    expect((await json(hold)).error).toMatchObject({
      code: 'invalid_request',
      fields: [{ field: 'reason', message: expect.stringContaining('U+0000') }],
    });
    const renamed = await creator.client.request('PATCH', '/api/account', { name: 'Ada\u0000' });
    expect(renamed.status).toBe(400);
    expect((await json(renamed)).error.fields).toEqual([expect.objectContaining({ field: 'name' })]);
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
