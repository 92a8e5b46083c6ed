// Makes a fresh clone runnable: installs npm dependencies from the lockfile when they are
// missing or stale, then builds every package (tsc -b is incremental: a no-op when built).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
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
  // npm links workspace bins at install time, when dist/ does not exist yet, and skips the
  // missing targets: link them now (what `npx switchboard …` and `npx switchboard-test …`
  // in the docs run) and make them executable.
  for (const [name, bin] of BINS) {
    const target = path.join(root, bin);
    if (!existsSync(target)) continue;
    chmodSync(target, 0o755);
    const link = path.join(root, 'node_modules', '.bin', name);
    const relative = path.relative(path.dirname(link), target);
    let current = null;
    try {
      current = readlinkSync(link);
    } catch {
      // no link yet (or not a symlink)
    }
    if (current === relative) continue;
    mkdirSync(path.dirname(link), { recursive: true });
    rmSync(link, { force: true });
    symlinkSync(relative, link);
  }
}

/** The CLIs of the workspace packages: [command, built entry point]. */
const BINS = [
  ['switchboard', 'packages/server/dist/cli/main.js'],
  ['switchboard-test', 'packages/tester/dist/cli/main.js'],
];

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureReady();
