import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeCheck } from '../checks/CheckBuilder.js';
import { CouldNotRunError } from '../probe/CouldNotRunError.js';
import type { Report } from '../report/Report.js';
import { EXIT, exitCodeFor } from './exitCodes.js';
import { toJUnitXml } from './junit.js';
import { runCli } from './runCli.js';

function capture(): { out: string[]; err: string[]; io: Parameters<typeof runCli>[1] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {} } };
}

const base = {
  group: 'rtc' as const,
  audiences: ['agent' as const, 'user' as const],
  summary: 'a <b> & "c"',
};
const report: Report = {
  schemaVersion: 1,
  tool: 'switchboard-test',
  toolVersion: '0.1.0',
  server: 'https://x',
  mode: 'quick',
  platform: 'node',
  startedAt: '2024-01-01T00:00:00.000Z',
  durationMs: 1234,
  verdict: 'fail',
  audiences: { agent: 'fail', user: 'fail' },
  checks: [
    makeCheck({ ...base, id: 'a', title: 'ok', verdict: 'pass' }),
    makeCheck({ ...base, id: 'b', title: 'bad', verdict: 'fail', recommendation: 'open TCP 8989' }),
    makeCheck({ ...base, id: 'c', title: 'skip', verdict: 'skipped', group: 'quality' }),
    makeCheck({ ...base, id: 'd', title: 'close', verdict: 'warn', group: 'quality' }),
  ],
  streams: [],
  bandwidth: [],
};

describe('exit codes', () => {
  it('map pass/warn/fail to 0/1/2 and could-not-run to 3', () => {
    assert.equal(exitCodeFor('pass'), 0);
    assert.equal(exitCodeFor('warn'), 1);
    assert.equal(exitCodeFor('fail'), 2);
    assert.equal(EXIT.couldNotRun, 3);
  });

  it('a bad URL exits 3 with one line and no stack trace', async () => {
    const c = capture();
    assert.equal(await runCli(['--server', 'not a url'], c.io), 3);
    const text = c.err.join('');
    assert.equal(text.trim().split('\n').length, 1);
    assert.match(text, /not a URL/);
    assert.doesNotMatch(text, /\s+at\s/);
  });

  it('a missing --server exits 3 and says what to pass', async () => {
    const c = capture();
    assert.equal(await runCli([], c.io), 3);
    assert.match(c.err.join(''), /--server/);
  });

  it('an unknown option exits 3', async () => {
    const c = capture();
    assert.equal(await runCli(['--server', 'https://x', '--frobnicate'], c.io), 3);
  });

  it('a refused token exits 3 with the API error as one line', async () => {
    const c = capture();
    c.io.api = () => ({
      profile: async () => {
        throw new CouldNotRunError(
          'token-refused',
          'The server refused the access token (SB_ERR_TOKEN_INVALID): mint a fresh token',
        );
      },
      openSession: async () => {
        throw new Error('unreachable');
      },
      closeSession: async () => undefined,
    });
    assert.equal(await runCli(['--server', 'https://127.0.0.1:1'], c.io), 3);
    assert.match(c.err.join(''), /^switchboard-test: cannot run: The server refused the access token/m);
  });

  it('an unreachable server exits 3 naming the host', async () => {
    const c = capture();
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    assert.equal(await runCli(['--server', 'https://127.0.0.1:1', '--no-progress'], c.io), 3);
    assert.match(c.err.join(''), /Cannot reach 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
  });
});

describe('JUnit XML', () => {
  const xml = toJUnitXml(report);

  it('has one testsuite per spec section and one testcase per check', () => {
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.equal((xml.match(/<testsuite /g) ?? []).length, 2);
    assert.equal((xml.match(/<testcase /g) ?? []).length, 4);
    assert.match(
      xml,
      /<testsuites name="switchboard-test" tests="4" failures="1" errors="0" skipped="1" time="1.234">/,
    );
  });

  it('maps fail to <failure>, skipped to <skipped>, warn to a WARN line', () => {
    assert.match(
      xml,
      /<failure message="a &lt;b&gt; &amp; &quot;c&quot;" type="b">[^<]*open TCP 8989<\/failure>/,
    );
    assert.match(xml, /<skipped message=/);
    assert.match(xml, /<system-out>WARN: /);
  });

  it('is balanced XML (every opened element closed)', () => {
    const stack: string[] = [];
    for (const m of xml.matchAll(/<(\/?)([a-z-]+)[^>]*?(\/?)>/g)) {
      if (m[3] === '/') continue;
      if (m[1] === '/') assert.equal(stack.pop(), m[2]);
      else stack.push(m[2]!);
    }
    assert.deepEqual(stack, []);
  });
});
