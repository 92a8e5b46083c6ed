import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { generate } from 'selfsigned';

/** The PEM pair every TLS listener uses. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** True when Switchboard generated it (browsers will warn; clients need `--insecure` / `-k`). */
  selfSigned: boolean;
  /** Where it was read from, for the start-up banner. */
  certPath: string;
  fingerprint256: string;
  validTo: Date;
}

export interface TlsOptions {
  certFile?: string | undefined;
  keyFile?: string | undefined;
  dataDir: string;
  publicHost: string;
  /** Further names a self-signed certificate must cover (e.g. the `turns:` host of the managed coturn). */
  extraHosts?: readonly string[];
}

const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

function read(file: string, what: string, key: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the TLS ${what} ${file} (config key ${key}): ${(err as Error).message}`);
  }
}

function describe(cert: string, key: string, certPath: string, selfSigned: boolean): TlsMaterial {
  const x509 = new X509Certificate(cert);
  return {
    cert,
    key,
    selfSigned,
    certPath,
    fingerprint256: x509.fingerprint256,
    validTo: new Date(x509.validTo),
  };
}

function covers(x509: X509Certificate, host: string): boolean {
  return isIP(host) ? x509.checkIP(host) !== undefined : x509.checkHost(host) !== undefined;
}

/**
 * Returns the configured certificate and key, or a self-signed pair generated once under
 * `dataDir/tls` and reused on later starts (regenerated only when it nears expiry or no
 * longer names `publicHost` and every `extraHosts` entry).
 */
export async function loadOrCreateTls(options: TlsOptions): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) {
    const cert = read(options.certFile, 'certificate', 'tls.certFile');
    const key = read(options.keyFile, 'private key', 'tls.keyFile');
    try {
      return describe(cert, key, options.certFile, false);
    } catch (err) {
      throw new Error(
        `The TLS certificate ${options.certFile} (tls.certFile) is not valid PEM: ${(err as Error).message}`,
      );
    }
  }
  const dir = path.join(options.dataDir, 'tls');
  const certPath = path.join(dir, 'self-signed.crt');
  const keyPath = path.join(dir, 'self-signed.key');
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    const x509 = new X509Certificate(cert);
    const named = [options.publicHost, ...(options.extraHosts ?? [])].every((h) => covers(x509, h));
    if (new Date(x509.validTo).getTime() - Date.now() > RENEW_BEFORE_MS && named) {
      return describe(cert, readFileSync(keyPath, 'utf8'), certPath, true);
    }
  }
  const hosts = [
    ...new Set([options.publicHost, ...(options.extraHosts ?? []), 'localhost', '127.0.0.1', '::1']),
  ];
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: options.publicHost }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3600_000),
    notAfterDate: new Date(now + 397 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) => (isIP(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h })),
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, pems.cert);
  return describe(pems.cert, pems.private, certPath, true);
}
