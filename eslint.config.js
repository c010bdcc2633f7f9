// One lint set-up for the whole repository: TypeScript everywhere, Svelte in web/.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      '.data',
      '.tools',
      '.stryker-tmp',
      'dist',
      'web/.svelte-kit',
      'web/build',
      'test-artifacts',
      'db/migrations/.snapshot-*.json',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // The project's own CommonJS packages (packages/), loaded by require() from libraries.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', Buffer: 'readonly' },
    },
    // svelte/no-inner-declarations fails on CommonJS's function scope (it is for .svelte files).
    rules: { '@typescript-eslint/no-require-imports': 'off', 'svelte/no-inner-declarations': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-console': 'off',
    },
  },
  {
    // Workflow code must stay deterministic: no Node built-ins, no I/O libraries.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https'],
              message: 'workflow code must be deterministic',
            },
            {
              group: [
                '../activities/*',
                '../providers/*',
                '../db/*',
                '../platform/*',
                '../api/*',
                '../config/*',
              ],
              allowTypeImports: true,
              message: 'workflows import only domain/ and other workflow code (activities as types)',
            },
          ],
        },
      ],
      // These modules are preloaded once and shared by every workflow run in a worker
      // (worker/bundle-options.ts): a variable at module scope would carry one run's state
      // into the next. The SDK freezes shared objects, not bindings, so this rule does.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "Program > VariableDeclaration[kind!='const'], Program > ExportNamedDeclaration > VariableDeclaration[kind!='const']",
          message: 'workflow and domain modules are shared by every run: no let or var at module scope',
        },
      ],
    },
  },
  {
    // The dependency rules' own configuration (CommonJS, read by dependency-cruiser).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    // Small modules and functions that fit on a screen; tests and benchmarks may be longer.
    files: ['**/*.ts', '**/*.svelte'],
    ignores: ['tests/**', 'bench/**', 'db/migrations/**'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
);
