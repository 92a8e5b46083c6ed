// Two network namespaces joined by a veth pair: a "server" host and a "client" host whose
// outbound traffic an nftables rule set filters, as a corporate firewall would. Names are
// unique per run; everything is deleted on close(), and on process exit if a test died.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const IP = '/usr/sbin/ip';
const NFT = '/usr/sbin/nft';

/** Why namespaces cannot be used here (undefined when they can). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (!existsSync(IP)) return `${IP} (iproute2) is not installed`;
  if (!existsSync(NFT)) return `${NFT} (nftables) is not installed`;
  try {
    const probe = `sbprobe${randomBytes(3).toString('hex')}`;
    execFileSync(IP, ['netns', 'add', probe], { stdio: 'ignore' });
    execFileSync(IP, ['netns', 'del', probe], { stdio: 'ignore' });
  } catch {
    return 'this kernel or container does not allow creating network namespaces';
  }
  return undefined;
}

export interface NetnsPair {
  /** Namespace names. */
  server: string;
  client: string;
  /** Addresses on the veth pair (private to the two namespaces). */
  serverAddress: string;
  clientAddress: string;
  /** Command prefix that runs a program inside a namespace. */
  exec(ns: string): string[];
  /**
   * Replaces the client's firewall: `rules` are nft rule lines for an output chain with
   * policy accept (e.g. `tcp dport != 443 drop`); empty = everything open.
   */
  setClientFirewall(rules: string[]): Promise<void>;
  /**
   * Host names the client namespace resolves (`name → address`): `ip netns exec` mounts
   * `/etc/netns/<ns>/hosts` over `/etc/hosts` for every program it starts afterwards.
   */
  setClientHosts(hosts: Record<string, string>): void;
  /** Kills every process left in the namespaces and deletes them. Idempotent. */
  close(): Promise<void>;
}

const live = new Set<string>();
let exitHookInstalled = false;

function deleteNowSync(ns: string): void {
  try {
    const pids = execFileSync(IP, ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    execFileSync(IP, ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // Already deleted.
  }
  rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  live.delete(ns);
}

/** Creates the pair: `<id>s` (server) and `<id>c` (client) on 10.<a>.<b>.1/.2. */
export async function createNetnsPair(): Promise<NetnsPair> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const ns of [...live]) deleteNowSync(ns);
    });
  }
  const id = `sbt${randomBytes(3).toString('hex')}`;
  const server = `${id}s`;
  const client = `${id}c`;
  const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  const serverAddress = `${net}.1`;
  const clientAddress = `${net}.2`;
  const vethS = `${id}vs`;
  const vethC = `${id}vc`;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const ns of [server, client]) deleteNowSync(ns);
  };
  try {
    for (const ns of [server, client]) {
      await run(IP, ['netns', 'add', ns]);
      live.add(ns);
      await run(IP, ['-n', ns, 'link', 'set', 'lo', 'up']);
      // No IPv6 here: a veth's link-local address finishes duplicate address detection a
      // second or two after the link comes up, and Chromium treats that address change as a
      // network change and aborts a navigation in flight (net::ERR_NETWORK_CHANGED).
      for (const scope of ['all', 'default']) {
        await run(IP, [
          'netns',
          'exec',
          ns,
          '/usr/sbin/sysctl',
          '-qw',
          `net.ipv6.conf.${scope}.disable_ipv6=1`,
        ]);
      }
    }
    await run(IP, ['link', 'add', vethS, 'type', 'veth', 'peer', 'name', vethC]);
    await run(IP, ['link', 'set', vethS, 'netns', server]);
    await run(IP, ['link', 'set', vethC, 'netns', client]);
    await run(IP, ['-n', server, 'addr', 'add', `${serverAddress}/24`, 'dev', vethS]);
    await run(IP, ['-n', client, 'addr', 'add', `${clientAddress}/24`, 'dev', vethC]);
    await run(IP, ['-n', server, 'link', 'set', vethS, 'up']);
    await run(IP, ['-n', client, 'link', 'set', vethC, 'up']);
  } catch (err) {
    await close();
    // A veth left in the root namespace (the move failed) is removed too.
    await run(IP, ['link', 'del', vethS]).catch(() => undefined);
    throw err;
  }
  return {
    server,
    client,
    serverAddress,
    clientAddress,
    exec: (ns) => [IP, 'netns', 'exec', ns],
    setClientHosts(hosts) {
      mkdirSync(`/etc/netns/${client}`, { recursive: true });
      const lines = [
        '127.0.0.1 localhost',
        ...Object.entries(hosts).map(([name, addr]) => `${addr} ${name}`),
      ];
      writeFileSync(`/etc/netns/${client}/hosts`, `${lines.join('\n')}\n`);
    },
    async setClientFirewall(rules) {
      const text = [
        'flush ruleset',
        'table inet sbfirewall {',
        '  chain output {',
        '    type filter hook output priority 0; policy accept;',
        ...rules.map((r) => `    ip daddr ${serverAddress} ${r}`),
        '  }',
        '}',
        '',
      ].join('\n');
      await new Promise<void>((resolve, reject) => {
        const child = execFile(IP, ['netns', 'exec', client, NFT, '-f', '-'], (err, _out, stderr) =>
          err ? reject(new Error(`nft failed: ${stderr || err.message}`)) : resolve(),
        );
        child.stdin?.end(text);
      });
    },
    close,
  };
}
