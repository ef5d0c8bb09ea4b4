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
);
