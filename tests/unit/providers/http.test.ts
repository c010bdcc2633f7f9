import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  classifyStatus,
  createHttpClient,
  errorDetail,
  parseRetryAfter,
} from '../../../providers/http.ts';
import { providerError } from './helpers.ts';

const KEY = 'sk-live-very-secret-key';

/** A fetch that answers every call with one canned response. */
const answering =
  (status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch =>
  async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers });

const client = (doFetch: typeof fetch, baseUrl = 'https://provider.example') =>
  createHttpClient({
    provider: 'Test',
    baseUrl,
    headers: { Authorization: `Bearer ${KEY}` },
    secrets: [KEY],
    fetch: doFetch,
  });

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, and ignores nonsense', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('HTTP status classification', () => {
  const codeOf = (status: number) =>
    classifyStatus({ status, headers: new Headers(), body: undefined }, `HTTP ${status}`);

  it.each([
    [400, 'invalid_request', false],
    [422, 'invalid_request', false],
    [401, 'unauthorized', false],
    [403, 'unauthorized', false],
    [402, 'provider_account', false],
    [404, 'not_found', false],
    [429, 'rate_limited', true],
    [500, 'unavailable', true],
    [502, 'unavailable', true],
    [503, 'unavailable', true],
    [504, 'unavailable', true],
    [501, 'internal', false],
  ] as const)('HTTP %i is %s (retryable: %s)', (status, code, retryable) => {
    expect(codeOf(status)).toMatchObject({ code, retryable, httpStatus: status, outcomeUnknown: false });
  });

  it('carries Retry-After on a 503 too', () => {
    const error = classifyStatus(
      { status: 503, headers: new Headers({ 'Retry-After': '3' }), body: {} },
      'x',
    );
    expect(error.retryAfterMs).toBe(3000);
  });
});

describe('HTTP client', () => {
  it('never puts the API key in an error message, even when the provider echoes it', async () => {
    const echo = answering(400, { error: { code: 'bad', message: `key ${KEY} is malformed` } });
    const error = await providerError(client(echo).request('POST', '/v1/things', { body: {} }));
    expect(error.message).not.toContain(KEY);
    expect(error.message).toContain('[redacted]');
  });

  it('calls a refused connection unavailable and retryable, with the outcome known', async () => {
    const port = await closedPort();
    const error = await providerError(
      createHttpClient({
        provider: 'Test',
        baseUrl: `http://127.0.0.1:${port}`,
        headers: {},
        secrets: [],
      }).request('POST', '/v1/create', { body: {}, idempotent: false }),
    );
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, outcomeUnknown: false });
  });

  it('reads plain-text and empty error bodies', async () => {
    const error = await providerError(
      client(answering(502, '<html>Bad gateway</html>')).request('GET', '/x'),
    );
    expect(error.message).toContain('Bad gateway');
    expect(errorDetail(undefined)).toBe('');
    expect(errorDetail({ detail: [{ msg: 'field required' }] })).toContain('field required');
  });

  it('names what a validation answer found wrong, never the input it echoes back', async () => {
    const prompt = 'a portrait of my neighbour Jane Doe at her front door';
    const error = await providerError(
      client(
        answering(422, {
          detail: [
            {
              loc: ['body', 'prompt'],
              msg: 'String should have at most 500 characters',
              type: 'string_too_long',
              input: prompt,
            },
            { loc: ['body', 'duration'], msg: 'Input should be 5 or 10', type: 'literal_error', input: 7 },
          ],
        }),
      ).request('POST', '/v1/run', { body: { prompt }, idempotent: false }),
    );
    expect(error.message).toContain('body.prompt: String should have at most 500 characters');
    expect(error.message).toContain('body.duration: Input should be 5 or 10');
    expect(error.message).not.toContain(prompt);
  });

  it('returns statuses the caller accepts instead of throwing', async () => {
    const response = await client(answering(404, { error: 'gone' })).request('DELETE', '/x', {
      accept: [404],
    });
    expect(response.status).toBe(404);
  });

  it('sends JSON with the query string built from defined values only', async () => {
    let seen: Request | undefined;
    const capture: typeof fetch = async (input, init) => {
      seen = new Request(input, init);
      return new Response('{}', { status: 200 });
    };
    await client(capture).request('POST', '/v1/run', {
      body: { a: 1 },
      query: { hook: 'https://x/y', none: undefined },
    });
    expect(seen?.url).toBe('https://provider.example/v1/run?hook=https%3A%2F%2Fx%2Fy');
    expect(seen?.headers.get('content-type')).toBe('application/json');
    expect(await seen?.json()).toEqual({ a: 1 });
  });
});
