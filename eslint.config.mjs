// Lint rules that keep the layers apart and catch the bugs types alone miss (floating promises, non-exhaustive
// switches over message unions). Type-aware: it reads tsconfig.json. Formatting is Prettier's job, not ESLint's.
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

/** An import restriction for one layer: the folders it must not reach, with the reason shown to whoever tries. */
const forbid = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'client/dist/', 'data/', 'test-artifacts/', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'error',
      eqeqeq: ['error', 'smart'],
    },
  },
  // The editor knows only the wire types: never node code, the ML runtime or the server.
  {
    files: ['client/src/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      ...forbid(
        ['**/nodes/**', '**/server/**', '**/ml/**', 'node:*', 'fs', 'path', 'child_process'],
        'client/ imports only protocol/ (and npm packages for the browser)',
      ),
    },
  },
  // The ML runtime knows nothing of HTTP, nodes, the editor or the workflow protocol.
  {
    files: ['ml/**'],
    rules: forbid(
      ['**/nodes/**', '**/server/**', '**/protocol/**', '**/client/**', 'express', 'ws'],
      'ml/ imports none of nodes/, server/, protocol/ or client/',
    ),
  },
  // Shared by the browser and the server: pure TypeScript, no Node.js.
  {
    files: ['protocol/**'],
    rules: forbid(
      ['**/nodes/**', '**/server/**', '**/ml/**', '**/client/**', 'node:*'],
      'protocol/ is pure TypeScript shared with the browser: no node:* and no other layer',
    ),
  },
  // Nodes know the protocol and the ML runtime, never the server or the editor.
  {
    files: ['nodes/**'],
    rules: forbid(['**/server/**', '**/client/**'], 'nodes/ know protocol/ and ml/ only'),
  },
  // Tests, benchmarks and scripts may print, and may use any in tests.
  {
    files: ['tests/**', 'bench/**', 'scripts/**', 'server/cli/**'],
    rules: { 'no-console': 'off' },
  },
  { files: ['tests/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
