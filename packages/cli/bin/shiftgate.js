#!/usr/bin/env node
// Runs the committed CLI bundle, so `npx shiftgate` works right after `npm ci` with no build step.
await import('../../../dist/cli/index.js');
