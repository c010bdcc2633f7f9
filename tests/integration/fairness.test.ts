// Promises about how data is used, checked at the provider boundary and at the price:
// exercising a right changes nothing about price or service (D-NODISCRIM), and what a
// provider receives is only this job's own request, never material to train on for
// anyone else (D-NOTRAIN).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIn } from '../support/accounts.ts';
import {
  createJob,
  jobRequest,
  startGenerationHarness,
  waitForJob,
  type GenerationHarness,
} from '../support/generation.ts';
import { json } from '../support/http.ts';
import { scaledDurations } from '../support/durations.ts';

let h: GenerationHarness;
beforeAll(async () => {
  h = await startGenerationHarness({ DURATION_OVERRIDES: scaledDurations(0.01) });
});
afterAll(async () => {
  await h?.stop();
});

describe('exercising rights [D-NODISCRIM]', () => {
  it('gives the same models, the same price and the same service to someone who objected, withdrew consent and asked for their data', async () => {
    const plain = await signedIn(h.platform, { credits: 100 });
    const exercising = await signedIn(h.platform, { credits: 100 });
    await exercising.client.put('/api/privacy/objection', { analytics: true, marketing: true });
    await exercising.client.put('/api/consents', {
      analytics: false,
      marketingEmail: false,
      source: 'settings',
    });
    const access = await exercising.client.post('/api/privacy/requests', {
      type: 'access',
      jurisdiction: 'GDPR',
    });
    expect(access.status).toBeLessThan(300);

    const models = async (c: typeof plain.client) => json(await c.get('/api/models'));
    expect(await models(exercising.client)).toEqual(await models(plain.client));

    const request = jobRequest({ prompt: 'a paper boat on a pond', seed: 7 });
    const quotes = await Promise.all(
      [plain, exercising].map(async (a) => json(await a.client.post('/api/quotes', request))),
    );
    expect(quotes[1].credits).toBe(quotes[0].credits);

    const jobs = await Promise.all(
      [plain, exercising].map(async (a) => json(await createJob(a.client, request))),
    );
    const done = await Promise.all([plain, exercising].map((a, i) => waitForJob(a.client, jobs[i].id)));
    expect(done.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    expect(done[1].credits).toEqual(done[0].credits);
    // The same seed and prompt make the same video: same model, same resolution, same length.
    expect(done[1].parameters).toEqual(done[0].parameters);
  }, 120_000);
});

describe('what providers receive [D-NOTRAIN]', () => {
  it('sends a provider only this job: its prompt and settings, and short-lived links to its own inputs', async () => {
    const a = await signedIn(h.platform, { credits: 500 });
    const b = await signedIn(h.platform, { credits: 500 });
    const promptA = `harbour at dusk ${randomUUID()}`;
    const promptB = `forest at noon ${randomUUID()}`;
    const [jobA, jobB] = await Promise.all([
      json(
        await createJob(
          a.client,
          jobRequest({
            modelId: 'luma-ray-flash-2',
            prompt: promptA,
            durationSeconds: 5,
            resolution: '540p',
          }),
        ),
      ),
      json(
        await createJob(
          b.client,
          jobRequest({
            modelId: 'luma-ray-flash-2',
            prompt: promptB,
            durationSeconds: 5,
            resolution: '540p',
          }),
        ),
      ),
    ]);
    await Promise.all([
      waitForJob(a.client, jobA.id, { timeoutMs: 60_000 }),
      waitForJob(b.client, jobB.id, { timeoutMs: 60_000 }),
    ]);
    const taskA = h.simulator.tasks('luma').find((t) => t.prompt.includes(promptA))!;
    const body = JSON.stringify(taskA.request);
    // Nothing of another customer, nothing identifying the person: no user id, email or other prompt.
    expect(body).not.toContain(promptB);
    expect(body).not.toContain(a.user.id);
    expect(body).not.toContain(a.user.email);
    expect(body).not.toContain(b.user.id);
    // Only the request's own fields reach the provider: exactly these, nothing more.
    expect(Object.keys(taskA.request).sort()).toEqual([
      'aspect_ratio',
      'callback_url',
      'duration',
      'generation_type',
      'model',
      'prompt',
      'resolution',
    ]);
    expect(taskA.webhookUrl).toContain(jobA.id);
  }, 120_000);
});
