import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { NodePlatform } from '../platform/node/NodePlatform.js';
import type { Platform } from '../platform/Platform.js';
import { CouldNotRunError } from '../probe/CouldNotRunError.js';
import { HttpProbeApi, type ProbeApi, parseServerUrl } from '../probe/ProbeApi.js';
import { runTester, TESTER_VERSION, type TesterTiming } from '../Tester.js';
import { EXIT, exitCodeFor } from './exitCodes.js';
import { toJUnitXml } from './junit.js';
import { progressLine, renderTable } from './table.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Replaces the HTTP API (tests, or the lead wiring another transport). */
  api?: (platform: Platform, server: string, token: string | undefined) => ProbeApi;
  /** Overrides timing (tests). */
  timing?: Partial<TesterTiming>;
}

interface CliOptions {
  server?: string;
  token?: string;
  quick?: boolean;
  json?: boolean;
  junit?: string;
  insecure?: boolean;
  ca?: string;
  progress: boolean;
}

/**
 * `switchboard-test`: runs the Tester and returns the exit code (0 pass, 1 warn, 2 fail,
 * 3 could not run). Never throws and never prints a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('switchboard-test')
    .description(
      'Checks that this network meets the Switchboard connectivity requirements (TCP, UDP media, quality).',
    )
    .version(TESTER_VERSION)
    .option('--server <url>', 'Switchboard server to test, e.g. https://switchboard.example.com')
    .option('--token <token>', 'access token allowed to open probe sessions (default: $SWITCHBOARD_TOKEN)')
    .option('--quick', 'quick test (≤ 5 s): fewer ports, short streams, no bandwidth ramp')
    .option('--json', 'print the report as JSON (schema: report.schema.json) instead of the table')
    .option('--junit <file>', 'also write the report as JUnit XML to this file')
    .option('--insecure', 'accept a server certificate that does not verify (reported as a warning)')
    .option('--ca <file>', 'also trust the CA certificate(s) in this PEM file')
    .addOption(new Option('--no-progress', 'do not print progress lines on stderr'))
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  let opts: CliOptions;
  try {
    program.parse(argv as string[], { from: 'user' });
    opts = program.opts<CliOptions>();
  } catch (err) {
    if (
      err instanceof CommanderError &&
      (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
    ) {
      return EXIT.pass;
    }
    // Commander already printed its one-line reason.
    return EXIT.couldNotRun;
  }
  const fail = (message: string): number => {
    io.stderr(`switchboard-test: cannot run: ${message}\n`);
    return EXIT.couldNotRun;
  };
  if (!opts.server) return fail('no server given: pass --server https://your-switchboard-host');
  try {
    parseServerUrl(opts.server);
    let ca: string | undefined;
    if (opts.ca) {
      try {
        ca = readFileSync(opts.ca, 'utf8');
      } catch (err) {
        return fail(`cannot read --ca ${opts.ca} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    const platform = new NodePlatform({ insecure: opts.insecure ?? false, ...(ca ? { ca } : {}) });
    const token = opts.token ?? io.env.SWITCHBOARD_TOKEN;
    const api = io.api
      ? io.api(platform, opts.server, token)
      : new HttpProbeApi(platform, { server: opts.server, token });
    const report = await runTester({
      api,
      platform,
      server: opts.server,
      mode: opts.quick ? 'quick' : 'full',
      ...(io.timing ? { timing: io.timing } : {}),
      onProgress: (e) => {
        if (!opts.progress) return;
        io.stderr(e.kind === 'phase' ? `… ${e.message}\n` : `${progressLine(e.check)}\n`);
      },
    });
    if (opts.junit) {
      try {
        writeFileSync(opts.junit, toJUnitXml(report));
      } catch (err) {
        io.stderr(
          `switchboard-test: could not write --junit ${opts.junit} (${(err as NodeJS.ErrnoException).code})\n`,
        );
      }
    }
    io.stdout(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report));
    return exitCodeFor(report.verdict);
  } catch (err) {
    if (err instanceof CouldNotRunError) return fail(err.message);
    return fail(`unexpected error: ${(err as Error)?.message ?? String(err)} (please report this)`);
  }
}
