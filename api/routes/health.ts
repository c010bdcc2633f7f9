// Liveness and readiness. Readiness asks each dependency with its own deadline, so one
// that is down is named in the answer instead of hanging it.
import { z } from 'zod';
import { checkDatabase } from '../../db/orm.ts';
import { checkObjectStore } from '../../platform/s3.ts';
import { checkTemporal } from '../../platform/temporal.ts';
import type { Clients } from '../../platform/clients.ts';
import { defineRoute } from '../route.ts';

export const DEPENDENCIES = ['postgres', 'temporal', 's3'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

const checkResult = z.object({ ok: z.boolean(), latencyMs: z.number(), error: z.string().optional() });
const readiness = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.enum(DEPENDENCIES), checkResult),
});

async function timed(timeoutMs: number, probe: () => Promise<unknown>): Promise<z.infer<typeof checkResult>> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    const message = err instanceof Error ? err.message || err.name : String(err);
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: message.slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: Clients) {
  const timeoutMs = deps.config.temporal.connectTimeoutMs;
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the API process is up',
      tags: ['health'],
      access: 'public',
      response: z.object({ status: z.literal('ok') }),
      handler: () => ({ status: 'ok' as const }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: PostgreSQL, Temporal and S3 each answer',
      tags: ['health'],
      access: 'public',
      response: readiness,
      handler: async ({ res }) => {
        const [postgres, temporal, s3] = await Promise.all([
          timed(timeoutMs, () => checkDatabase(deps.orm)),
          timed(timeoutMs, () => checkTemporal(deps.temporal, timeoutMs)),
          timed(timeoutMs, () => checkObjectStore(deps.store)),
        ]);
        const checks = { postgres, temporal, s3 };
        const ready = Object.values(checks).every((c) => c.ok);
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
        return undefined;
      },
    }),
  ];
}
