// ESLint for src/ and test/ (npm run lint, part of npm test): typescript-eslint with type
// information, for the rules the project relies on: no `any`, and no promise left floating
// (an unawaited call whose rejection nobody sees). Formatting is not linted.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'native/**', '.vscode-test/**', 'test-artifacts/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      // The two files that load the addon or a module by path say why with a directive.
      '@typescript-eslint/no-require-imports': 'error',
    },
  },
);
