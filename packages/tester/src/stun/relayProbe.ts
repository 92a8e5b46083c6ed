import { randomBytes } from 'node:crypto';
import type { TransportAddress } from './address.js';
import type { BindingResult } from './StunClient.js';
import type { PeerAddress, TurnClient } from './TurnClient.js';

/** Options for {@link measureRelayRtt}. */
export interface RelayRttOptions {
  /** Probes to send (default 10, at most 1000). */
  count?: number | undefined;
  /** Gap between probes, ms (default 20). */
  intervalMs?: number | undefined;
  /** Bytes per probe, at least 12 (default 100). */
  payloadBytes?: number | undefined;
  /** Wait this long for the last echo, ms (default 2000). */
  timeoutMs?: number | undefined;
}

/** Round trips through a TURN relay to an echoing peer. */
export interface RelayRttResult {
  sent: number;
  received: number;
  /** Fraction of probes never echoed, 0–1. */
  loss: number;
  /** Per-probe round-trip times of the echoed probes, ms. */
  samplesMs: number[];
  minMs: number | undefined;
  avgMs: number | undefined;
  maxMs: number | undefined;
}

/**
 * Sends numbered probes through `turn`'s relay to `peer`, which must echo each datagram
 * back unchanged (a UDP echo server, or another relay running {@link startRelayEcho}),
 * and measures each round trip. Permission (or a channel) for the peer must exist.
 */
export async function measureRelayRtt(
  turn: TurnClient,
  peer: PeerAddress,
  options: RelayRttOptions = {},
): Promise<RelayRttResult> {
  const count = Math.min(Math.max(options.count ?? 10, 1), 1000);
  const interval = options.intervalMs ?? 20;
  const size = Math.max(options.payloadBytes ?? 100, 12);
  const tag = randomBytes(8);
  const sentAt = new Map<number, number>();
  const samples: number[] = [];
  const onData = (_from: TransportAddress, data: Buffer): void => {
    if (data.length < 12 || !data.subarray(0, 8).equals(tag)) return;
    const seq = data.readUInt32BE(8);
    const at = sentAt.get(seq);
    if (at === undefined) return;
    sentAt.delete(seq);
    samples.push(performance.now() - at);
  };
  turn.on('data', onData);
  try {
    for (let seq = 0; seq < count; seq++) {
      const probe = Buffer.alloc(size);
      tag.copy(probe, 0);
      probe.writeUInt32BE(seq, 8);
      sentAt.set(seq, performance.now());
      turn.send(peer, probe);
      if (seq < count - 1) await new Promise((r) => setTimeout(r, interval));
    }
    const deadline = Date.now() + (options.timeoutMs ?? 2000);
    // Polls until every echo is back or the deadline passes (bounded by the deadline).
    while (sentAt.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  } finally {
    turn.off('data', onData);
  }
  const received = samples.length;
  return {
    sent: count,
    received,
    loss: (count - received) / count,
    samplesMs: samples,
    minMs: received ? Math.min(...samples) : undefined,
    avgMs: received ? samples.reduce((a, b) => a + b, 0) / received : undefined,
    maxMs: received ? Math.max(...samples) : undefined,
  };
}

/**
 * Makes `turn` echo every datagram it receives back to its sender through the relay, so
 * a second allocation can serve as the echoing peer of {@link measureRelayRtt} without
 * any server-side helper. Returns a function that stops echoing.
 */
export function startRelayEcho(turn: TurnClient): () => void {
  const onData = (from: TransportAddress, data: Buffer): void => {
    try {
      turn.send(from, data);
    } catch {
      // Closed meanwhile: nothing to echo through.
    }
  };
  turn.on('data', onData);
  return () => turn.off('data', onData);
}

/**
 * NAT mapping behaviour from Binding results taken through ONE local UDP socket towards
 * different server addresses (RFC 5780 §4.3 idea):
 * - `no-nat`: the mapped address is our local address;
 * - `endpoint-independent`: the same mapping for every destination (cone NAT, good for ICE);
 * - `endpoint-dependent`: different mappings per destination (symmetric NAT: expect TURN);
 * - `unknown`: fewer than two results.
 */
export type NatMappingHint = 'no-nat' | 'endpoint-independent' | 'endpoint-dependent' | 'unknown';

/** Classifies the mapping from Binding results (see {@link NatMappingHint}). */
export function natMappingHint(results: BindingResult[]): NatMappingHint {
  const first = results[0];
  if (!first) return 'unknown';
  const same = (a: TransportAddress, b: TransportAddress): boolean =>
    a.address === b.address && a.port === b.port;
  if (results.every((r) => same(r.mapped, r.local))) return 'no-nat';
  if (results.length < 2) return 'unknown';
  return results.every((r) => same(r.mapped, first.mapped)) ? 'endpoint-independent' : 'endpoint-dependent';
}
