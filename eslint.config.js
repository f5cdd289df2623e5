// Flat config: typescript-eslint's recommended rules over every .ts file; tests may use `any`
// for hostile-input fixtures but nothing may log through console outside the CLI.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'dist-test/**', 'node_modules/**', '.tap/**', 'coverage/**', 'data/**', 'fixtures/.cache/**', '**/*.gen.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.test.ts', 'bench/**/*.ts', 'bin/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  // Size limits keep one concern per room (issue #19). They bind product source only: tests and
  // their helpers, generated files, and bench/ and scripts/ (developer tools, never packed) are free.
  {
    files: ['**/*.ts', 'bin/**/*.js', 'gateway/console/public/**/*.js'],
    ignores: ['**/*.test.ts', '**/*.test-support.ts', '**/*.gen.*', 'bench/**', 'scripts/**'],
    rules: {
      'max-lines': ['error', { max: 450 }],
      'max-lines-per-function': ['error', { max: 120 }],
    },
  },
)
