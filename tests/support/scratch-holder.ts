// A process holding a scratch file, as a worker does in the middle of a step: it opens
// its scratch space under the root it is given, writes a file in a folder of it, prints
// where (one JSON line), and keeps marking its folder alive until it is killed or its
// parent goes (its stdin closes).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openScratch } from '../../platform/scratch.ts';

const [root, heartbeatMs, abandonedAfterMs] = process.argv.slice(2);
const scratch = await openScratch({
  root: root!,
  heartbeatMs: Number(heartbeatMs),
  abandonedAfterMs: Number(abandonedAfterMs),
});
const folder = await scratch.folder('output-');
const file = path.join(folder, 'video.mp4');
await writeFile(file, 'a person’s video');
process.stdout.write(`${JSON.stringify({ home: scratch.home, file })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
