import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit({ adapter: adapter({ out: 'build' }) })],
  // The site imports the policy table and vocabularies from ../domain.
  server: { fs: { allow: ['..'] } },
});
