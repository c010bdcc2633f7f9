import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ out: 'build' }),
      // Deployed without a proxy in front (docker-compose), the server cannot tell its own
      // origin from a request: the build is told it, so form posts pass the origin check.
      ...(process.env.SITE_ORIGIN ? { paths: { origin: process.env.SITE_ORIGIN } } : {}),
      // The site's styles are small: inlined, they cost no extra round trip before first paint,
      // and the startup script is not held back waiting for a stylesheet.
      inlineStyleThreshold: 10_000,
      // Scripts only from the site itself (SvelteKit adds a nonce to its own inline start-up
      // script), no framing by other sites, and forms that post only here. Inline style
      // attributes stay allowed: components set widths with them.
      csp: {
        mode: 'auto',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          'style-src': ['self', 'unsafe-inline'],
          'img-src': ['self', 'data:', 'blob:'],
          'media-src': ['self', 'blob:'],
          'connect-src': ['self'],
          'font-src': ['self'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
        },
      },
    }),
  ],
  // The site imports the policy table and vocabularies from ../domain.
  server: { fs: { allow: ['..'] } },
});
