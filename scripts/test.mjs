// The one test command (`npm test`, and `.ci/run`): system packages, npm dependencies,
// build, lint + format check, then every test file with Node's test runner.
//   npm test                 everything
//   npm test -- unit         only unit tests (packages/*/src, apps/web/src)
//   npm test -- <substring>  only test files whose path contains it
import { spawn, spawnSync } from 'node:child_process';
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
const unit = [
  ...readdirSync(packagesDir).map((pkg) => path.join(packagesDir, pkg, 'dist')),
  path.join(root, 'apps', 'web', 'test', 'dist'),
].flatMap((dir) => {
  try {
    return testFiles(dir);
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
// Browser, media-timing and network-namespace tests measure real time on a shared CPU:
// they run one at a time after the rest, so a busy neighbour cannot skew what they judge.
const SERIAL =
  /[\\/]e2e[\\/]|media-sfu|media-workers|tester-(accuracy|server)|netns|turn-chromium|console-acd|acd-hold-audio/;
const phases = [
  { name: 'unit and integration', files: files.filter((f) => !SERIAL.test(f)), concurrency: 2 },
  { name: 'browsers, media timing, namespaces', files: files.filter((f) => SERIAL.test(f)), concurrency: 1 },
].filter((p) => p.files.length > 0);

let passed = 0;
let failed = 0;
let exitCode = 0;
for (const phase of phases) {
  console.log(`[test] ${phase.name}: ${phase.files.length} test files`);
  const child = spawn(
    process.execPath,
    [
      '--enable-source-maps',
      '--test',
      '--test-force-exit',
      `--test-concurrency=${phase.concurrency}`,
      '--test-timeout=300000',
      ...phase.files.map((f) => path.relative(root, f)),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SB_TEST_ROOT: root } },
  );
  let tail = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  });
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  passed += Number(/^# pass (\d+)/m.exec(tail)?.[1] ?? 0);
  failed += Number(/^# fail (\d+)/m.exec(tail)?.[1] ?? 0);
  if (code !== 0) exitCode = code;
}
// One summary over every phase, in the plain form CI reads.
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed > 0 ? 1 : 0));
