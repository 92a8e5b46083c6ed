// The one test command (`npm test`, and `.ci/run`): system packages, npm dependencies,
// build, lint + format check, then every test file with Node's test runner.
//   npm test                 everything
//   npm test -- unit         only unit tests (packages/*/src)
//   npm test -- <substring>  only test files whose path contains it
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureReady } from './ensure-ready.mjs';
import { ensureSystemPackages } from './system-packages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2];

if (!ensureSystemPackages()) process.exit(3);
ensureReady();

console.log('[test] lint and format (biome check)…');
const lint = spawnSync('npx', ['biome', 'check', '.'], { cwd: root, stdio: 'inherit' });
if (lint.status !== 0) {
  console.error('[test] lint/format failed: run `npm run format` to fix formatting, then fix what remains.');
  process.exit(1);
}

function testFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') out.push(...testFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const packagesDir = path.join(root, 'packages');
const unit = readdirSync(packagesDir).flatMap((pkg) => {
  try {
    return testFiles(path.join(packagesDir, pkg, 'dist'));
  } catch {
    return [];
  }
});
const integration = testFiles(path.join(root, 'test', 'dist'));
let files = [...unit, ...integration];
if (filter === 'unit') files = unit;
else if (filter) files = files.filter((f) => f.includes(filter));
if (files.length === 0) {
  console.error(`[test] no test files match ${filter ?? '(all)'}`);
  process.exit(1);
}
console.log(`[test] ${files.length} test files`);
const result = spawnSync(
  process.execPath,
  [
    '--enable-source-maps',
    '--test',
    '--test-force-exit',
    '--test-concurrency=2',
    '--test-timeout=300000',
    ...files.map((f) => path.relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, SB_TEST_ROOT: root } },
);
process.exit(result.status ?? 1);
