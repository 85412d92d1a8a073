// Writes packages/core/schema/shiftgate.schema.json from the catalogue (npm run schema).
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '@shiftgate/core';

writeFileSync(
  new URL('../packages/core/schema/shiftgate.schema.json', import.meta.url),
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
);
