// Regenerates the documents derived from code (`npm run docs`); tests fail when the
// committed copies differ from what this would write.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { renderErrorDocs, renderProtocolDocs } = await import(
  path.join(root, 'packages/protocol/dist/index.js')
);
const { configJsonSchema, renderConfigReference } = await import(
  path.join(root, 'packages/server/dist/index.js')
);

writeFileSync(path.join(root, 'docs/errors.md'), renderErrorDocs());
writeFileSync(path.join(root, 'docs/protocol-messages.md'), renderProtocolDocs());
writeFileSync(path.join(root, 'config.schema.json'), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
writeFileSync(path.join(root, 'docs/configuration.md'), renderConfigReference());
console.log('wrote docs/errors.md, docs/protocol-messages.md, docs/configuration.md and config.schema.json');
