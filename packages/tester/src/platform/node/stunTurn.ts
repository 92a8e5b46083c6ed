import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { StunAttr, StunMethod } from '../../stun/constants.js';
import { StunClient } from '../../stun/StunClient.js';
import { StunError } from '../../stun/StunError.js';
import { attr, decodeAddress, decodeXorAddress, getAttribute } from '../../stun/StunMessage.js';
import { TurnClient } from '../../stun/TurnClient.js';
import type { StunBindingOutcome, TurnRelayOutcome, TurnRelayRequest, UdpTarget } from '../Platform.js';

async function ipOf(host: string): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, '');
  return net.isIP(bare) ? bare : (await lookup(bare)).address;
}

function message(err: unknown): string {
  const e = err as Error & { cause?: NodeJS.ErrnoException };
  const code = e?.cause?.code;
  return `${e?.message ?? String(err)}${code && !e.message.includes(code) ? ` (${code})` : ''}`;
}

/**
 * Binding requests from ONE local UDP socket to each target in turn (RFC 5780 §4.3 idea): a
 * NAT that maps the same socket to different public ports per destination is symmetric.
 */
export async function stunBindings(targets: UdpTarget[], timeoutMs: number): Promise<StunBindingOutcome> {
  const first = targets[0];
  if (!first) return { local: undefined, results: [] };
  let client: StunClient;
  try {
    client = await StunClient.connect({
      transport: 'udp',
      host: first.host,
      port: first.port,
      rtoMs: Math.min(250, timeoutMs / 4),
      transactionTimeoutMs: timeoutMs,
    });
  } catch (err) {
    return { local: undefined, results: targets.map((target) => ({ target, error: message(err) })) };
  }
  try {
    const results = await Promise.all(
      targets.map(async (target) => {
        try {
          const to = { address: await ipOf(target.host), port: target.port };
          const attributes = target.username ? [attr.string(StunAttr.Username, target.username)] : [];
          const { response, rttMs } = await client.request(StunMethod.Binding, attributes, { to });
          if (response.cls !== 'success') return { target, error: `Binding error response` };
          const xor = getAttribute(response, StunAttr.XorMappedAddress);
          const plain = getAttribute(response, StunAttr.MappedAddress);
          if (!xor && !plain) return { target, error: 'no mapped address in the response' };
          const mapped = xor ? decodeXorAddress(xor, response.transactionId) : decodeAddress(plain!);
          return { target, mapped: { address: mapped.address, port: mapped.port }, rttMs };
        } catch (err) {
          return { target, error: message(err) };
        }
      }),
    );
    const local = client.transport.local;
    return { local: { address: local.address, port: local.port }, results };
  } finally {
    client.close();
  }
}

/** TURN over one transport: Allocate, CreatePermission, probes to the peer through the relay. */
export async function turnRelay(
  r: TurnRelayRequest,
  trust: { insecure: boolean; ca: string[] | undefined },
): Promise<TurnRelayOutcome> {
  let stage: TurnRelayOutcome['stage'] = 'connect';
  let turn: TurnClient | undefined;
  const rttMs: number[] = [];
  let sent = 0;
  let allocateMs: number | undefined;
  let relayed: TurnRelayOutcome['relayed'];
  try {
    turn = await TurnClient.connect({
      transport: r.transport,
      host: r.host,
      port: r.port,
      username: r.username,
      password: r.credential,
      autoRefresh: false,
      connectTimeoutMs: r.timeoutMs,
      transactionTimeoutMs: r.timeoutMs,
      rtoMs: Math.min(250, r.timeoutMs / 4),
      ...(r.transport === 'tls'
        ? { tls: { rejectUnauthorized: !trust.insecure, ...(trust.ca ? { ca: trust.ca } : {}) } }
        : {}),
    });
    turn.on('error', () => undefined);
    stage = 'allocate';
    const allocation = await turn.allocate();
    allocateMs = allocation.allocateMs;
    relayed = { address: allocation.relayed.address, port: allocation.relayed.port };
    stage = 'permission';
    const peer = { address: await ipOf(r.peer.address), port: r.peer.port };
    await turn.createPermission([peer]);
    stage = 'relay';
    const sentAt = new Map<number, number>();
    turn.on('data', (_from, data) => {
      const i = r.matchReply(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const at = i === undefined ? undefined : sentAt.get(i);
      if (i === undefined || at === undefined) return;
      sentAt.delete(i);
      rttMs.push(performance.now() - at);
    });
    for (const [i, probe] of r.probes.entries()) {
      sentAt.set(i, performance.now());
      turn.send(peer, Buffer.from(probe));
      sent++;
      if (i < r.probes.length - 1) await new Promise((ok) => setTimeout(ok, r.intervalMs));
    }
    // Bounded wait for the last replies.
    const deadline = performance.now() + r.timeoutMs;
    while (sentAt.size > 0 && performance.now() < deadline) await new Promise((ok) => setTimeout(ok, 10));
    return { stage: 'done', allocateMs, relayed, rttMs, sent };
  } catch (err) {
    const e = err as StunError;
    const cause = (e as { cause?: NodeJS.ErrnoException }).cause;
    const tlsUntrusted =
      r.transport === 'tls' &&
      /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|altnames/i.test(`${cause?.code} ${e.message}`);
    return {
      stage,
      error: message(err),
      ...(e instanceof StunError && e.status !== undefined ? { status: e.status } : {}),
      timedOut: e instanceof StunError && e.kind === 'timeout',
      tlsUntrusted,
      allocateMs,
      relayed,
      rttMs,
      sent,
    };
  } finally {
    await turn?.close().catch(() => undefined);
  }
}
