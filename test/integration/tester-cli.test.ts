import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ReportSchema } from '@switchboard/tester';
import { ImpairmentRelay } from '../helpers/ImpairmentRelay.js';
import { type ProbeTestServer, startProbeTestServer } from '../helpers/ProbeTestServer.js';
import { TEST_PORTS } from '../helpers/testPorts.js';

const CLI = fileURLToPath(new URL('../../../packages/tester/dist/cli/main.js', import.meta.url));
const RANGES = TEST_PORTS.testerCli;

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

describe('switchboard-test CLI against an in-process probe server', () => {
  let server: ProbeTestServer;
  let dir: string;
  let caFile: string;
  before(async () => {
    server = await startProbeTestServer({ ranges: RANGES, publicHost: '127.0.0.1' });
    dir = mkdtempSync(path.join(tmpdir(), 'sb-tester-cli-'));
    caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, server.certPem);
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--quick --json passes with exit 0, prints a schema-valid report and writes JUnit XML', async () => {
    const junit = path.join(dir, 'report.xml');
    const r = await run([
      '--server',
      server.url,
      '--token',
      server.token,
      '--ca',
      caFile,
      '--quick',
      '--json',
      '--junit',
      junit,
    ]);
    const report = ReportSchema.parse(JSON.parse(r.stdout));
    assert.equal(report.verdict, 'pass', r.stdout);
    assert.equal(r.code, 0);
    assert.equal(report.mode, 'quick');
    assert.ok(report.checks.some((c) => c.id === 'udp.acd' && c.verdict === 'pass'));
    assert.ok(report.checks.some((c) => c.id === 'rate.uplink.80' && c.verdict === 'pass'));
    assert.match(r.stderr, /PASS {2}TCP/, 'live progress on stderr');
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuites name="switchboard-test" tests="\d+" failures="0"/);
  });

  it('takes the token from SWITCHBOARD_TOKEN and prints the table grouped as the spec groups it', async () => {
    const r = await run(['--server', server.url, '--ca', caFile, '--quick', '--no-progress'], {
      SWITCHBOARD_TOKEN: server.token,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /RTC — Agents and Users[\s\S]*ACD — Agents[\s\S]*Network bandwidth requirements/);
    assert.match(r.stdout, /Agents \(RTC \+ ACD\): PASS {4}Users \(RTC\): PASS/);
    assert.equal(r.stderr, '');
  });

  it('a refused token exits 3 with one line saying what to do', async () => {
    const r = await run([
      '--server',
      server.url,
      '--token',
      'wrong',
      '--ca',
      caFile,
      '--quick',
      '--no-progress',
    ]);
    assert.equal(r.code, 3);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /refused the access token \(SB_ERR_TOKEN_INVALID\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('an untrusted certificate exits 3 pointing at --insecure; with --insecure TLS checks warn (exit 1)', async () => {
    const refused = await run(['--server', server.url, '--token', server.token, '--quick', '--no-progress']);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /--insecure/);
    const insecure = await run([
      '--server',
      server.url,
      '--token',
      server.token,
      '--quick',
      '--insecure',
      '--json',
    ]);
    const report = ReportSchema.parse(JSON.parse(insecure.stdout));
    assert.equal(insecure.code, 1);
    const tls = report.checks.find((c) => c.id.startsWith('tcp.rtc.') && c.summary.includes('NOT valid'));
    assert.ok(tls, 'a TLS check reports the untrusted chain');
    assert.equal(tls.verdict, 'warn');
    assert.match(tls.summary, /issuer 127\.0\.0\.1/);
  });

  it('blocked UDP media fails (exit 2) with the firewall rule in the spec’s terms', async () => {
    // A relay that drops every UDP datagram but carries TCP: a firewall that blocks media.
    const blocked = await startProbeTestServer({
      ranges: TEST_PORTS.testerCliBlocked,
      publicHost: '127.0.0.2',
      bindHost: '127.0.0.1',
    });
    const relay = await ImpairmentRelay.start({
      listenHost: '127.0.0.2',
      targetHost: '127.0.0.1',
      udpPorts: Array.from({ length: 20 }, (_, i) => TEST_PORTS.testerCliBlocked.rtc.min + i),
      tcpPorts: blocked.tcpPorts,
      up: { lossPercent: 100 },
      down: {},
    });
    try {
      const ca = path.join(dir, 'blocked-ca.pem');
      writeFileSync(ca, blocked.certPem);
      const r = await run([
        '--server',
        blocked.url,
        '--token',
        blocked.token,
        '--ca',
        ca,
        '--quick',
        '--no-progress',
      ]);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stdout, /blocked — media will need TURN/);
      assert.match(r.stdout, /Allow outbound UDP 21250 … 21259 to RTC \(127\.0\.0\.2\): RTP Media \(Video\)/);
      assert.match(r.stdout, /Allow outbound UDP 21260 … 21269 to ACD \(127\.0\.0\.2\): RTP Media \(Audio\)/);
      assert.match(r.stdout, /SKIP/);
    } finally {
      relay.close();
      await blocked.close();
    }
  });
});
