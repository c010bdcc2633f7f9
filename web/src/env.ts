import { defineEnvVars } from '@sveltejs/kit/env';
import { z } from 'zod';

export const variables = defineEnvVars({
  API_INTERNAL_URL: {
    schema: z.url().default('http://127.0.0.1:3000'),
    description: 'Where the site server reaches the API process.',
  },
});
