import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** The flags every test browser runs with (no network beyond loopback, fake media). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless, with a fresh profile; trusts the platform's self-signed certificate.
 * `executablePath` may name a wrapper (e.g. one that runs Chromium inside a network namespace).
 */
export async function launchChromium(
  extraArgs: string[] = [],
  options: { executablePath?: string } = {},
): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'sb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: options.executablePath ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    ignoreHTTPSErrors: true,
    permissions: ['camera', 'microphone'],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Chromium running inside a network namespace (`execPrefix`, e.g. `ip netns exec <ns>`, via a
 * wrapper script written to `dir`), so its traffic obeys that namespace's firewall.
 */
export async function launchChromiumInNamespace(
  execPrefix: string[],
  dir: string,
  extraArgs: string[] = [],
): Promise<TestBrowser> {
  const wrapper = path.join(dir, 'chromium-in-namespace.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${execPrefix.join(' ')} /usr/bin/chromium "$@"\n`, { mode: 0o755 });
  return launchChromium(extraArgs, { executablePath: wrapper });
}
