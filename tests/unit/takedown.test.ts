import { describe, expect, it } from 'vitest';
import { parseContentLink } from '../../domain/takedown.ts';

const user = '0a1b2c3d-0000-4000-8000-000000000001';
const asset = '9f8e7d6c-0000-4000-8000-000000000002';

describe('what a take-down link names [S-TAKEDOWN]', () => {
  it('reads a download link (the object key in its path) and the site pages of jobs and files', () => {
    expect(
      parseContentLink(`http://127.0.0.1:9000/clipwise/users/${user}/outputs/${asset}?X-Amz-Signature=abc`),
    ).toEqual({ type: 'asset', id: asset });
    expect(parseContentLink(`https://clipwise.example/jobs/${asset}`)).toEqual({ type: 'job', id: asset });
    expect(parseContentLink(`https://clipwise.example/library/${asset}/download`)).toEqual({
      type: 'asset',
      id: asset,
    });
  });

  it('names nothing for other links and for text that is not a link', () => {
    expect(parseContentLink('https://example.test/video/123')).toBeNull();
    expect(parseContentLink('not a link')).toBeNull();
  });
});
