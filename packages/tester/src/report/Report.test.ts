import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderSchema, SCHEMA_FILE } from './generateSchema.js';
import { ReportSchema } from './Report.js';

describe('report JSON Schema', () => {
  it('the committed report.schema.json matches the zod schema (regenerate with generateSchema.js)', () => {
    // Compared as data: the formatter may re-wrap the committed file.
    assert.deepEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), JSON.parse(renderSchema()));
  });

  it('rejects a report whose verdict is not pass/warn/fail', () => {
    const r = ReportSchema.safeParse({ schemaVersion: 1, verdict: 'maybe' });
    assert.equal(r.success, false);
  });
});
