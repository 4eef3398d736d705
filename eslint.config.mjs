// Lint rules, including the architecture boundary (see README "Architecture"):
//   src/core, src/shared, src/emulator and webview/ never import `vscode`;
//   webview/ never imports Node built-ins; src/core never touches the DOM.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const noVscode = {
  name: 'vscode',
  message: 'Only src/host and src/extension.ts may import vscode (core/host boundary).',
};
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].filter(
  (m) => !m.startsWith('_'),
);
const domGlobals = Object.keys(globals.browser).filter((g) => !(g in globals.node) && !(g in globals.es2021));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'node_modules/**',
      'src/core/generated/**',
      'test/fixtures/**',
      'demo/**',
      '.cache/**',
      'bench/.data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='eval']", message: 'No eval.' },
        { selector: "NewExpression[callee.name='Function']", message: 'No new Function.' },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/shared/**/*.ts', 'src/emulator/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...domGlobals.map((name) => ({ name, message: 'src/core must not use the DOM.' })),
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noVscode,
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'Webviews run in a browser: no Node built-ins.',
            })),
          ],
          patterns: [
            {
              group: ['**/src/core/**', '**/src/host/**', '**/src/cli/**'],
              message: 'Webviews may import only src/shared.',
            },
          ],
        },
      ],
    },
  },
);
