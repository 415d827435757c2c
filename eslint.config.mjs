import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', '.data/**', 'sdk/generated/**', 'src/ops/public/vendor/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // The server logs through pino; scripts, benches and tests print to the terminal.
  { files: ['src/**'], rules: { 'no-console': 'error' } },
  { files: ['*.js', '*.cjs'], languageOptions: { sourceType: 'commonjs', globals: globals.node } },
  {
    files: ['src/ops/public/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { ...globals.browser, uPlot: 'readonly', graphqlWs: 'readonly' },
    },
    rules: { 'no-console': 'off' },
  },
  prettier,
  // Prettier keeps code within 120 columns but cannot break strings, template literals (SQL) or comments:
  // this holds them to the same width (after eslint-config-prettier, which turns max-len off).
  { rules: { 'max-len': ['error', { code: 120, ignoreUrls: true }] } },
);
