// Writes packages/tester/report.schema.json from the zod schema of the report:
//   node packages/tester/dist/report/generateSchema.js
// A unit test fails when the committed file and the schema disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from './Report.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../../report.schema.json', import.meta.url));

export function renderSchema(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, renderSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
