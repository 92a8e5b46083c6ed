// Makes a fresh clone runnable: installs npm dependencies from the lockfile when they are
// missing or stale, then builds every package (tsc -b is incremental: a no-op when built).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[setup] ${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

export function ensureReady() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
    console.log('[setup] installing npm dependencies (npm ci)…');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  console.log('[setup] building (tsc -b, web pages)…');
  run('npx', ['tsc', '-b']);
  run('npx', ['tsc', '-p', 'apps/web']);
  // The pages' pure logic (widget state, error texts) compiles for Node's test runner too.
  run('npx', ['tsc', '-p', 'apps/web/tsconfig.unit.json']);
  run('npx', ['vite', 'build', '--logLevel', 'warn', 'apps/web']);
  // npm links bins at install time, before dist/ exists: make the CLIs executable now.
  for (const bin of ['packages/server/dist/cli/main.js', 'packages/tester/dist/cli/main.js']) {
    if (existsSync(path.join(root, bin))) chmodSync(path.join(root, bin), 0o755);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureReady();
