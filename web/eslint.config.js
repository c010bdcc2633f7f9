// ESLint looks up the configuration nearest to each file: the site uses the repository's
// rules, with one change. In Svelte components `no-undef` cannot see browser globals or
// TypeScript's DOM types (typescript-eslint advises turning it off for TypeScript code,
// which the root configuration already does for .ts files); the type checker
// (svelte-check) reports undefined names instead.
import root from '../eslint.config.js';

export default [
  ...root,
  { ignores: ['.svelte-kit', 'build', 'node_modules'] },
  { files: ['**/*.svelte'], rules: { 'no-undef': 'off' } },
];
