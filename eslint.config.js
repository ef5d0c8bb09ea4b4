import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'release/**', 'test-results/**', 'playwright-report/**', 'assets/**', '**/*.cjs', 'core/onnx/proto/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    // Core must run in Node, workers and the CLI alike: no Electron, no React.
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['electron', 'react', 'react-dom', 'zustand', 'plotly.js-cartesian-dist-min'], patterns: ['electron/*', 'react/*', '../renderer/*', '../../renderer/*', '../electron/*', '../../electron/*'] }],
    },
  },
  {
    // Test fixtures and generators live in test-support/, outside the production core.
    files: ['core/**/*.ts'],
    ignores: ['core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'react-dom', 'zustand', 'plotly.js'],
          patterns: [
            { group: ['electron/*', 'react/*', '../renderer/*', '../../renderer/*', '../electron/*', '../../electron/*'] },
            { group: ['**/test-support/**'], message: 'production core never imports test-support/' },
          ],
        },
      ],
    },
  },
  {
    // core/protocol crosses every process boundary, the renderer's included: browser-safe, so no
    // Node built-ins, no native or Node-only packages, and nothing from the Node-side core folders
    // (it imports only its own modules). tsconfig.web.json checks the same by having no Node types.
    files: ['core/protocol/**/*.ts'],
    ignores: ['core/protocol/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'react-dom', 'zustand', 'plotly.js', 'onnxruntime-node', 'protobufjs', 'tsx', 'yaml'],
          patterns: [
            { group: ['node:*'], message: 'core/protocol is browser-safe: no Node built-ins' },
            { group: ['fs', 'fs/*', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'http', 'url', 'util', 'stream', 'events', 'buffer'], message: 'core/protocol is browser-safe: no Node built-ins' },
            { group: ['../*'], message: 'core/protocol imports only its own modules (the rest of core is Node-side)' },
          ],
        },
      ],
    },
  },
);
