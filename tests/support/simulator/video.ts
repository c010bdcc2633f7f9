// The MP4 every simulated provider hands out: rendered once per process by the local
// renderer, so downloads in tests are real, playable videos.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderLocalVideo } from '../../../providers/local.ts';

const SAMPLE = { width: 320, height: 180, durationSeconds: 1, fps: 12 } as const;

let sample: Promise<Buffer> | undefined;

export function sampleVideo(): Promise<Buffer> {
  sample ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clipwise-sim-'));
    try {
      const outputPath = join(dir, 'sample.mp4');
      await renderLocalVideo({ prompt: 'provider simulator sample', seed: 1, outputPath, ...SAMPLE });
      return await readFile(outputPath);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  return sample;
}
