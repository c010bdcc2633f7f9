// How the platform's processes hold their connections to PostgreSQL: the ORM's pool and
// each API process's one LISTEN connection for live views.
import { SECOND } from './time.ts';

/**
 * Waiting for a pooled connection under load is normal; a database that is down is
 * reported by the readiness probe's own, shorter deadline.
 */
export const DATABASE_CONNECT_TIMEOUT_MS = 10 * SECOND;

/**
 * An idle connection is probed by TCP keepalive after this long. Unprobed, Linux waits 2
 * hours, longer than NATs and load balancers keep an idle flow (AWS's NAT gateway 350 s,
 * Azure's load balancer 4 minutes): a pooled connection dropped on the way could hang the
 * next statement sent on it for as long as TCP retransmits (about 15 minutes), and the
 * LISTEN connection, idle whenever nothing changes, could go deaf without knowing it.
 * Probed, the flow stays open, and a peer that is gone is found by the 10 probes a second
 * apart that Node sets with the delay: the connection ends about 40 s after its last
 * traffic, and the pool (or the listener) replaces it.
 */
export const DATABASE_KEEPALIVE_IDLE_MS = 30 * SECOND;
