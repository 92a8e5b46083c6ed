// System packages the test suite needs, in one place. `npm test` installs the missing
// ones when it runs as root on Debian, and otherwise prints the exact command.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** [executable to look for, Debian package, what needs it] */
export const SYSTEM_PACKAGES = [
  ['/usr/bin/chromium', 'chromium', 'browser tests (headless Chromium via playwright-core)'],
  ['/usr/bin/turnserver', 'coturn', 'TURN tests (managed coturn)'],
  ['/usr/sbin/nft', 'nftables', 'firewall rule sets in test network namespaces'],
  ['/usr/bin/firefox-esr', 'firefox-esr', 'cross-browser calls (headless Firefox ESR)'],
  ['/usr/sbin/ip', 'iproute2', 'network namespaces for network tests'],
];

export function missingSystemPackages() {
  return SYSTEM_PACKAGES.filter(([bin]) => !existsSync(bin));
}

/** Installs what is missing; returns false (after printing what to do) when it cannot. */
export function ensureSystemPackages(log = console.log) {
  const missing = missingSystemPackages();
  if (missing.length === 0) return true;
  const names = [...new Set(missing.map(([, pkg]) => pkg))];
  for (const [, pkg, why] of missing) log(`[setup] missing Debian package ${pkg}: needed for ${why}`);
  const isRoot = process.getuid?.() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    log(
      `[setup] install them, then run the tests again:\n  sudo apt-get update && sudo apt-get install -y ${names.join(' ')}`,
    );
    return false;
  }
  log(`[setup] apt-get install -y ${names.join(' ')} (a few minutes the first time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  const result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], {
    stdio: 'inherit',
    env,
  });
  if (result.status !== 0) {
    log(
      `[setup] apt-get install failed (exit ${result.status}); install by hand: apt-get install -y ${names.join(' ')}`,
    );
    return false;
  }
  // coturn's Debian package starts a system-wide turnserver on 3478; the tests run their own.
  spawnSync('systemctl', ['disable', '--now', 'coturn'], { stdio: 'ignore' });
  return missingSystemPackages().length === 0;
}
