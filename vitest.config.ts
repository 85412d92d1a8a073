import { createLogger } from 'vite';
import { defineConfig } from 'vitest/config';

// The inlined @actions/* packages ship source maps without their sources; Vite warns once per file.
// Only that warning is dropped.
const logger = createLogger();
const missingSources = /^Sourcemap for ".*" points to missing source files$/;
const warnOnce = logger.warnOnce.bind(logger);
logger.warnOnce = (message, options) => {
  if (!missingSources.test(message)) warnOnce(message, options);
};

export default defineConfig({
  customLogger: logger,
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
