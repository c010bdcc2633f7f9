import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, pathOnly } from '../../platform/logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', name: 'test', destination }) };
}

describe('logs', () => {
  it('censor secrets, tokens and personal data wherever they appear', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        password: 'hunter2-password',
        email: 'person@example.com',
        user: { email: 'nested@example.com', token: 'tok_abc', dateOfBirth: '2001-02-03' },
        request: { headers: { authorization: 'Bearer sekrit', cookie: 'sid=abc' } },
        jobId: 'job-123',
        // As the Temporal SDK adds it to an activity's lines (the Runtime's logger is this one).
        taskToken: 'CiQ0ZjE2YmY2Zi1hY3Rpdml0eS10YXNrLXRva2Vu',
      },
      'event',
    );
    const out = lines.join('');
    for (const secret of [
      'hunter2-password',
      'person@example.com',
      'nested@example.com',
      'tok_abc',
      '2001-02-03',
      'Bearer sekrit',
      'sid=abc',
      'CiQ0ZjE2YmY2Zi1hY3Rpdml0eS10YXNrLXRva2Vu',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('job-123');
    expect(JSON.parse(out).process).toBe('test');
  });

  it('drop query strings, which may carry tokens', () => {
    expect(pathOnly('/api/auth/verify?token=abc')).toBe('/api/auth/verify');
    expect(pathOnly('/healthz')).toBe('/healthz');
  });
});
