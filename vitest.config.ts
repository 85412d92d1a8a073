import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    server: {
      deps: {
        // The workflow parser imports its schema JSON without import attributes, which Node's
        // ESM loader refuses; letting Vite transform it makes the import work.
        inline: ['@actions/workflow-parser', '@actions/languageservice', '@actions/expressions'],
      },
    },
  },
});
