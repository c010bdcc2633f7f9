// The provider simulator in instant mode, in a process of its own: a real provider answers
// from elsewhere, so neither measured side pays for its HTTP server's CPU or event loop.
import { startProviderSimulator } from '../../tests/support/simulator/index.ts';
import { serveParent } from './child.ts';

const simulator = await startProviderSimulator({ faults: { instant: true } });
serveParent({ url: simulator.url }, () => simulator.stop());
