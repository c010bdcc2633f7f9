// The Stripe client as the platform makes it (platform/stripe.ts), against a server that
// keeps each request's headers: it says which library it is, and nothing about our machine
// or our earlier requests.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripe } from '../../platform/stripe.ts';

const received: IncomingHttpHeaders[] = [];
const server = createServer((req, res) => {
  received.push(req.headers);
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${received.length}` });
    res.end(JSON.stringify({ id: 'cus_test', object: 'customer' }));
  });
});

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the Stripe client', () => {
  it('sends Stripe no telemetry: no earlier request’s timing, no kernel release', async () => {
    const { port } = server.address() as AddressInfo;
    const stripe = createStripe({
      secretKey: 'sk_test_telemetry',
      apiUrl: `http://127.0.0.1:${port}`,
      webhookSecret: 'whsec_unused',
      planPrices: {},
    });
    // The library reports a request's timing in the headers of the next one.
    await stripe.customers.retrieve('cus_test');
    await stripe.customers.retrieve('cus_test');
    expect(received).toHaveLength(2);
    for (const headers of received) {
      expect(headers['x-stripe-client-telemetry']).toBeUndefined();
      const agent = JSON.parse(String(headers['x-stripe-client-user-agent'])) as Record<string, unknown>;
      // Which library and language it is stays: Stripe's support reads it.
      expect(agent.lang).toBe('node');
      expect(agent).not.toHaveProperty('platform');
      // Sent by the library's other builds (not Node's, today) with telemetry on.
      expect(agent).not.toHaveProperty('telemetry_id');
    }
  });
});
