import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = process.env.SB_TEST_ROOT ?? process.cwd();
export const CLI = path.join(ROOT, 'packages/server/dist/cli/main.js');

/** A real `switchboard start` process, with its output captured. */
export interface ServerProcess {
  child: ChildProcess;
  dataDir: string;
  output: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Waits until the output matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

export function startServerProcess(
  args: string[],
  options: { dataDir?: string; env?: NodeJS.ProcessEnv; command?: string[] } = {},
): ServerProcess {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'sb-proc-'));
  const argv = [...(options.command ?? [process.execPath]), CLI, 'start', '--data-dir', dataDir, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: (() => void)[] = [];
  const onData = (d: Buffer) => {
    text += d.toString('utf8');
    for (const w of waiters.splice(0)) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? -1);
      for (const w of waiters.splice(0)) w();
    });
  });
  return {
    child,
    dataDir,
    output: () => text,
    exited,
    async waitForOutput(pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = text.match(pattern);
        if (m) return m;
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`Output never matched ${pattern}; exit ${child.exitCode}; output:\n${text}`);
        }
        await new Promise<void>((r) => {
          const timer = setTimeout(r, 200);
          waiters.push(() => {
            clearTimeout(timer);
            r();
          });
        });
      }
    },
  };
}

/** SIGTERM (graceful drain), then SIGKILL after `graceMs`; resolves once the process exited. */
export async function stopServerProcess(server: ServerProcess | undefined, graceMs = 4000): Promise<void> {
  if (!server) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  await server.exited;
  clearTimeout(timer);
}
