import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CODES, renderErrorDocs, renderProtocolDocs } from '@switchboard/protocol';
import { configJsonSchema, renderConfigReference } from './config/jsonSchema.js';

const root = process.env.SB_TEST_ROOT ?? process.cwd();
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('generated documents are in step with the code (run `npm run docs` to update)', () => {
  it('docs/errors.md lists exactly the registry’s error codes', () => {
    const doc = read('docs/errors.md');
    assert.equal(doc, renderErrorDocs());
    const documented = [...doc.matchAll(/^\| `(SB_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(documented, ERROR_CODES);
  });

  it('docs/protocol-messages.md matches the message catalogue', () => {
    assert.equal(read('docs/protocol-messages.md'), renderProtocolDocs());
  });

  it('config.schema.json matches the config schema', () => {
    assert.deepEqual(JSON.parse(read('config.schema.json')), configJsonSchema());
  });

  it('docs/configuration.md matches the config schema', () => {
    assert.equal(read('docs/configuration.md'), renderConfigReference());
  });
});
