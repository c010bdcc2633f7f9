import { defineEnvVars } from '@sveltejs/kit/env';
import { z } from 'zod';

/** Space- or comma-separated origins (`https://host:port`), each checked to be an origin and nothing more. */
function origins(value: string | undefined): string[] {
  const out: string[] = [];
  for (const item of (value ?? '').split(/[\s,]+/).filter(Boolean)) {
    const url = new URL(item);
    if (url.origin === 'null' || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new Error(`${item} is not an http(s) origin`);
    }
    out.push(url.origin);
  }
  return out;
}

export const variables = defineEnvVars({
  API_INTERNAL_URL: {
    schema: z.url().default('http://127.0.0.1:3000'),
    description: 'Where the site server reaches the API process.',
  },
  MEDIA_ORIGINS: {
    schema: origins,
    description:
      'Where the browser loads videos from besides the site: the object storage that download links point to (e.g. https://clipwise.s3.us-east-1.amazonaws.com). The content security policy allows them for video and images. When unset, the origin of S3_ENDPOINT.',
  },
  S3_ENDPOINT: {
    schema: (value) => origins(value)[0],
    description:
      'The object storage endpoint the API signs download links for (MEDIA_ORIGINS falls back to it).',
  },
});
