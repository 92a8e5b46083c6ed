import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadOrCreateTls } from './certificate.js';

describe('self-signed certificate', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sb-tls-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('names the public host and every extra host (the turns: name of the managed coturn)', async () => {
    const tls = await loadOrCreateTls({ dataDir, publicHost: '10.1.2.3', extraHosts: ['turn.example.test'] });
    const x509 = new X509Certificate(tls.cert);
    assert.ok(x509.checkIP('10.1.2.3'));
    assert.ok(x509.checkHost('turn.example.test'));
    assert.ok(x509.checkHost('localhost'));
  });

  it('is reused while it covers the names, and regenerated when a new name appears', async () => {
    const first = await loadOrCreateTls({
      dataDir,
      publicHost: '10.1.2.3',
      extraHosts: ['turn.example.test'],
    });
    const again = await loadOrCreateTls({ dataDir, publicHost: '10.1.2.3', extraHosts: [] });
    assert.equal(again.fingerprint256, first.fingerprint256);
    const renamed = await loadOrCreateTls({
      dataDir,
      publicHost: '10.1.2.3',
      extraHosts: ['relay.example.test'],
    });
    assert.notEqual(renamed.fingerprint256, first.fingerprint256);
    assert.ok(new X509Certificate(renamed.cert).checkHost('relay.example.test'));
  });
});
