import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './load.js';

const root = process.env.SB_TEST_ROOT ?? process.cwd();

function problems(fn: () => unknown): { key: string; message: string; source: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults to the spec’s ports when privileged ports are allowed', () => {
    const config = loadConfig({ privilegedAllowed: true });
    assert.deepEqual(
      {
        http: config.ports.http,
        https: config.ports.https,
        ws: config.ports.websocket,
        api: config.ports.api,
      },
      { http: 80, https: 443, ws: 8989, api: 8089 },
    );
    assert.equal(config.ports.shifted, false);
  });

  it('shifts 80/443 to 8080/8443 for a non-root user, and only those', () => {
    const config = loadConfig({ privilegedAllowed: false });
    assert.equal(config.ports.http, 8080);
    assert.equal(config.ports.https, 8443);
    assert.equal(config.ports.websocket, 8989);
    assert.equal(config.ports.shifted, true);
    const explicit = loadConfig({ privilegedAllowed: false, sets: ['ports.http=80', 'ports.https=443'] });
    assert.equal(explicit.ports.https, 443);
    assert.equal(explicit.ports.shifted, false);
  });

  it('layers file < environment < --set < flags', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sb-config-'));
    const file = path.join(dir, 'c.yaml');
    writeFileSync(file, 'publicHost: from-file\nsignalling:\n  pollHoldMs: 1000\n  authTimeoutMs: 700\n');
    const config = loadConfig({
      file,
      env: { SWITCHBOARD_SIGNALLING__POLL_HOLD_MS: '2000', SWITCHBOARD_PUBLIC_HOST: 'from-env', OTHER: 'x' },
      sets: ['signalling.pollHoldMs=3000'],
      overrides: { dataDir: '/tmp/flags' },
    });
    assert.equal(config.publicHost, 'from-env');
    assert.equal(config.signalling.pollHoldMs, 3000);
    assert.equal(config.signalling.authTimeoutMs, 700);
    assert.equal(config.dataDir, '/tmp/flags');
  });

  it('is frozen after validation', () => {
    const config = loadConfig();
    assert.throws(() => {
      (config.signalling as { pollHoldMs: number }).pollHoldMs = 1;
    });
  });

  it('names the key, the expected form and the source of every bad value', () => {
    const found = problems(() =>
      loadConfig({
        env: { SWITCHBOARD_PORTS__API: '70000' },
        sets: ['log.level=loud', 'auth.tokenTtlSeconds="ten"'],
      }),
    );
    const byKey = Object.fromEntries(found.map((p) => [p.key, p]));
    assert.match(byKey['ports.api']!.message, /65535/);
    assert.equal(byKey['ports.api']!.source, 'environment variable SWITCHBOARD_PORTS__API');
    assert.match(byKey['log.level']!.message, /fatal|info/);
    assert.equal(byKey['log.level']!.source, '--set');
    assert.match(byKey['auth.tokenTtlSeconds']!.message, /number/);
  });

  it('names unknown keys instead of ignoring them', () => {
    const found = problems(() => loadConfig({ sets: ['signalling.maxFrameByte=10', 'colour=blue'] }));
    assert.deepEqual(found.map((p) => p.key).sort(), ['colour', 'signalling.maxFrameByte']);
  });

  it('requires certFile and keyFile together, and pollHoldMs < idleTimeoutMs', () => {
    assert.ok(problems(() => loadConfig({ sets: ['tls.certFile=/x.pem'] })).some((p) => p.key === 'tls'));
    const hold = problems(() =>
      loadConfig({ sets: ['signalling.pollHoldMs=50000', 'signalling.idleTimeoutMs=40000'] }),
    );
    assert.equal(hold[0]?.key, 'signalling.pollHoldMs');
  });

  it('reports an unreadable or malformed file by name', () => {
    assert.match(
      problems(() => loadConfig({ file: '/nonexistent/switchboard.yaml' }))[0]!.message,
      /cannot read/,
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'sb-config-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'ports: [unclosed');
    assert.match(problems(() => loadConfig({ file }))[0]!.message, /YAML/);
  });

  it('accepts config.sample.yaml as shipped', () => {
    const config = loadConfig({ file: path.join(root, 'config.sample.yaml'), privilegedAllowed: true });
    assert.equal(config.ports.websocket, 8989);
    assert.ok(readFileSync(path.join(root, 'config.sample.yaml'), 'utf8').includes('config.schema.json'));
  });
});
