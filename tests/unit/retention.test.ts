// When each kind of stored object must be gone, and the object keys they live under
// (domain/retention.ts), pure: the integration tests run the same rules with shortened
// durations; these hold the published ones and the keys' shape.
import { describe, expect, it } from 'vitest';
import {
  ASSET_KINDS,
  assetDeleteAt,
  assetObjectKey,
  describeAllowedUploads,
  dueDeletionsAtOnce,
  parseAssetObjectKey,
  type AssetKind,
} from '../../domain/retention.ts';

const DAY = 86_400_000;
const storedAt = new Date('2026-12-01T10:00:00.000Z');
const user = '0a1b2c3d-0000-4000-8000-000000000001';
const asset = '9f8e7d6c-0000-4000-8000-000000000002';

describe('when a stored object must be gone', () => {
  it('[R-OUT-7D] [R-IN-30D] [R-TEMP] a video 7 days after it was stored, an upload 30, a temporary file 1, an export 7', () => {
    const after = (kind: AssetKind) => assetDeleteAt(kind, storedAt).getTime() - storedAt.getTime();
    expect(after('output')).toBe(7 * DAY);
    expect(after('input')).toBe(30 * DAY);
    expect(after('temp')).toBe(DAY);
    expect(after('export')).toBe(7 * DAY);
    // R-INTERMEDIATE: its own timer is the video's; moved later when a new video re-uses it.
    expect(after('intermediate')).toBe(7 * DAY);
  });

  it("follows the durations a process was configured with, by the kind's row of the policy", () => {
    const seen: string[] = [];
    const deleteAt = assetDeleteAt('input', storedAt, (subject) => {
      seen.push(subject);
      return 1_500;
    });
    expect(seen).toEqual(['input']);
    expect(deleteAt.getTime()).toBe(storedAt.getTime() + 1_500);
  });
});

describe('object keys', () => {
  it('are ids only, one folder a kind, and read back as they were made', () => {
    const keys = ASSET_KINDS.map((kind) => assetObjectKey(user, kind, asset));
    expect(keys).toEqual([
      `users/${user}/inputs/${asset}`,
      `users/${user}/outputs/${asset}`,
      `users/${user}/exports/${asset}`,
      `users/${user}/temp/${asset}`,
      `users/${user}/intermediates/${asset}`,
    ]);
    ASSET_KINDS.forEach((kind, i) => {
      expect(parseAssetObjectKey(keys[i]!)).toEqual({ userId: user, kind, assetId: asset });
    });
  });

  it('name nothing the platform did not make', () => {
    for (const key of [
      `users/${user}/inputs/holiday.png`,
      `users/${user}/videos/${asset}`,
      `users/${user}/inputs/${asset}/more`,
      `users/${user}/inputs/${asset}.mp4`,
      `backups/users/${user}/inputs/${asset}`,
      `users/${user.toUpperCase()}/inputs/${asset}`,
      `users/${user}/input/${asset}`,
      `users/${user}/inputs/`,
      '',
    ]) {
      expect(parseAssetObjectKey(key), key).toBeNull();
    }
  });
});

describe('what the refusal of an upload says, and how many due deletions run at once', () => {
  it('names every accepted format once, by kind, with its limit in MB', () => {
    expect(describeAllowedUploads()).toBe(
      'JPEG, PNG, WebP images up to 20 MB; MP4, WebM, QuickTime videos up to 500 MB; ' +
        'MP3, WAV, OGG, M4A audio up to 100 MB',
    );
  });

  it('runs twice as many due deletions as the database pool has connections', () => {
    expect(dueDeletionsAtOnce(10)).toBe(20);
    expect(dueDeletionsAtOnce(3)).toBe(6);
  });
});
