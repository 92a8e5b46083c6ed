import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { JitterEstimator, mean } from '@switchboard/tester';

/**
 * What a relay does to one direction of traffic, in the order a packet meets it:
 * loss → bottleneck (bandwidth cap with a finite queue) → delay + jitter (+ reordering).
 */
export interface Impairment {
  /** Fixed one-way delay, ms. */
  delayMs?: number;
  /** Per-packet extra delay: `normal` (standard deviation `ms`, clamped at 0) or `uniform` (±`ms`). */
  jitter?: { distribution: 'normal' | 'uniform'; ms: number };
  lossPercent?: number;
  /**
   * `bernoulli`: each packet dropped independently. `spread`: drops evenly spaced (from a
   * random phase) within each flow of packets the classifier tells apart — the same average
   * with almost no variance, so a short test of one stream sees the loss it asked for.
   */
  lossModel?: 'bernoulli' | 'spread';
  /** Bottleneck rate in kbps of UDP payload / TCP bytes. */
  bandwidthKbps?: number;
  /** Bottleneck queue depth in ms of the bandwidth; a packet that would wait longer is dropped. Default 100. */
  queueMs?: number;
  /** Share of packets (0–100) given `reorderExtraMs` of extra delay, so later ones overtake them. */
  reorderPercent?: number;
  reorderExtraMs?: number;
}

export interface RelayOptions {
  /** Where the relay listens (the address the Tester is told to use), e.g. 127.0.0.2. */
  listenHost: string;
  /** Where the server listens, e.g. 127.0.0.1. The same port numbers are used on both. */
  targetHost: string;
  udpPorts: readonly number[];
  tcpPorts?: readonly number[];
  /** Client → server. */
  up: Impairment;
  /** Server → client. */
  down: Impairment;
  /** Seed of the relay's random numbers (loss, jitter, reordering). */
  seed?: number;
  /** Labels a UDP payload (e.g. by probe stream) so the truth can be filtered per stream. */
  classify?: (payload: Uint8Array, direction: 'up' | 'down') => string | undefined;
}

/** What the relay did to one UDP datagram: the truth tests compare measurements with. */
export interface PacketRecord {
  direction: 'up' | 'down';
  port: number;
  bytes: number;
  tag: string | undefined;
  /** When the relay received it (performance.now()). */
  inAt: number;
  /** When the relay actually sent it on, undefined when dropped. */
  outAt: number | undefined;
  drop: 'loss' | 'queue' | undefined;
}

export interface Truth {
  packets: number;
  dropped: number;
  lossPercent: number;
  /** RFC 3550 jitter of the delays actually applied, in delivery order, ms. */
  jitterMs: number;
  meanDelayMs: number;
}

/** Seeded PRNG (mulberry32): the relay's randomness is reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Direction {
  readonly #i: Impairment;
  readonly #random: () => number;
  #linkFreeAt = 0;
  /** Per flow (classifier tag): packets seen and the random phase of its drop pattern. */
  readonly #flows = new Map<string, { seen: number; phase: number }>();
  #lastOutAt = 0;

  constructor(impairment: Impairment, random: () => number) {
    this.#i = impairment;
    this.#random = random;
  }

  #normal(): number {
    // Box–Muller.
    const u = 1 - this.#random();
    const v = this.#random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  #lost(flowKey: string): boolean {
    const p = this.#i.lossPercent ?? 0;
    if (p <= 0) return false;
    if ((this.#i.lossModel ?? 'bernoulli') === 'bernoulli') return this.#random() * 100 < p;
    let flow = this.#flows.get(flowKey);
    if (!flow) {
      flow = { seen: 0, phase: this.#random() };
      this.#flows.set(flowKey, flow);
    }
    // Error diffusion: the n-th packet is dropped when the running share of p % crosses an
    // integer, so any n packets of the flow lose ⌊n·p/100⌋ or one more.
    const before = Math.floor(flow.phase + (flow.seen * p) / 100);
    flow.seen++;
    return Math.floor(flow.phase + (flow.seen * p) / 100) > before;
  }

  /** Decides one packet's fate: the time to send it on, or why it is dropped. */
  schedule(
    bytes: number,
    now: number,
    inOrder: boolean,
    flow = '',
  ): { outAt: number } | { drop: 'loss' | 'queue' } {
    if (this.#lost(flow)) return { drop: 'loss' };
    let leaveAt = now;
    const kbps = this.#i.bandwidthKbps;
    if (kbps !== undefined && kbps > 0) {
      const start = Math.max(now, this.#linkFreeAt);
      if (start - now > (this.#i.queueMs ?? 100)) return { drop: 'queue' };
      leaveAt = start + (bytes * 8) / kbps;
      this.#linkFreeAt = leaveAt;
    }
    let delay = this.#i.delayMs ?? 0;
    const j = this.#i.jitter;
    if (j && j.ms > 0)
      delay += j.distribution === 'normal' ? j.ms * this.#normal() : j.ms * (2 * this.#random() - 1);
    if ((this.#i.reorderPercent ?? 0) > 0 && this.#random() * 100 < (this.#i.reorderPercent ?? 0)) {
      delay += this.#i.reorderExtraMs ?? 40;
    }
    let outAt = leaveAt + Math.max(0, delay);
    // TCP is a byte stream: its chunks must leave in order.
    if (inOrder) outAt = Math.max(outAt, this.#lastOutAt);
    this.#lastOutAt = Math.max(this.#lastOutAt, outAt);
    return { outAt };
  }
}

/**
 * A user-space impairment relay for UDP and TCP (this kernel has no `netem`): listens on
 * `listenHost` on the given ports, forwards to `targetHost` on the same ports, and applies
 * delay, jitter, loss, a bandwidth cap and reordering per direction. It records every UDP
 * datagram's fate so tests compare the Tester's figures with what really happened.
 */
export class ImpairmentRelay {
  readonly #o: RelayOptions;
  readonly #up: Direction;
  readonly #down: Direction;
  readonly #tcpUp: Direction;
  readonly #tcpDown: Direction;
  readonly #listeners: Socket[] = [];
  readonly #upstreams = new Map<string, Socket>();
  readonly #servers: net.Server[] = [];
  readonly #conns = new Set<net.Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly records: PacketRecord[] = [];
  #closed = false;

  private constructor(o: RelayOptions) {
    this.#o = o;
    const random = seededRandom(o.seed ?? 1);
    this.#up = new Direction(o.up, random);
    this.#down = new Direction(o.down, random);
    // TCP gets delay only (a byte stream cannot lose a chunk); separate state keeps UDP's intact.
    const tcpOnly = (i: Impairment): Impairment => ({
      delayMs: i.delayMs ?? 0,
      jitter: i.jitter ?? { distribution: 'uniform', ms: 0 },
    });
    this.#tcpUp = new Direction(tcpOnly(o.up), seededRandom((o.seed ?? 1) + 1));
    this.#tcpDown = new Direction(tcpOnly(o.down), seededRandom((o.seed ?? 1) + 2));
  }

  static async start(o: RelayOptions): Promise<ImpairmentRelay> {
    const relay = new ImpairmentRelay(o);
    try {
      for (const port of o.udpPorts) await relay.#listenUdp(port);
      for (const port of o.tcpPorts ?? []) await relay.#listenTcp(port);
    } catch (err) {
      relay.close();
      throw err;
    }
    return relay;
  }

  #later(at: number, fn: () => void): void {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        if (!this.#closed) fn();
      },
      Math.max(0, at - performance.now()),
    );
    this.#timers.add(timer);
  }

  #relay(direction: 'up' | 'down', port: number, msg: Buffer, send: (m: Buffer) => void): void {
    const now = performance.now();
    const record: PacketRecord = {
      direction,
      port,
      bytes: msg.byteLength,
      tag: this.#o.classify?.(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), direction),
      inAt: now,
      outAt: undefined,
      drop: undefined,
    };
    this.records.push(record);
    const fate = (direction === 'up' ? this.#up : this.#down).schedule(
      msg.byteLength,
      now,
      false,
      record.tag,
    );
    if ('drop' in fate) {
      record.drop = fate.drop;
      return;
    }
    this.#later(fate.outAt, () => {
      record.outAt = performance.now();
      send(msg);
    });
  }

  #listenUdp(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = createSocket('udp4');
      listener.once('error', reject);
      listener.bind(port, this.#o.listenHost, () => {
        listener.off('error', reject);
        listener.on('error', () => undefined);
        this.#listeners.push(listener);
        listener.on('message', (msg, client) => {
          const upstream = this.#upstream(listener, port, client);
          this.#relay('up', port, msg, (m) => upstream.send(m, port, this.#o.targetHost));
        });
        resolve();
      });
    });
  }

  /** One upstream socket per (client, port), so the server's replies find their way back. */
  #upstream(listener: Socket, port: number, client: RemoteInfo): Socket {
    const key = `${client.address}:${client.port}>${port}`;
    let upstream = this.#upstreams.get(key);
    if (!upstream) {
      const socket = createSocket('udp4');
      socket.on('error', () => undefined);
      socket.bind(0, this.#o.listenHost);
      socket.on('message', (msg) => {
        this.#relay('down', port, msg, (m) => {
          if (!this.#closed) listener.send(m, client.port, client.address);
        });
      });
      this.#upstreams.set(key, socket);
      upstream = socket;
    }
    return upstream;
  }

  #listenTcp(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((client) => {
        const upstream = net.connect({ host: this.#o.targetHost, port });
        this.#conns.add(client);
        this.#conns.add(upstream);
        const pipe = (from: net.Socket, to: net.Socket, dir: Direction): void => {
          from.on('data', (chunk) => {
            const fate = dir.schedule(chunk.byteLength, performance.now(), true);
            if ('outAt' in fate) this.#later(fate.outAt, () => to.write(chunk));
          });
          from.on('end', () => this.#later(performance.now() + 1000, () => to.end()));
          from.on('error', () => to.destroy());
          from.on('close', () => this.#conns.delete(from));
        };
        pipe(client, upstream, this.#tcpUp);
        pipe(upstream, client, this.#tcpDown);
      });
      server.once('error', reject);
      server.listen(port, this.#o.listenHost, () => {
        server.off('error', reject);
        this.#servers.push(server);
        resolve();
      });
    });
  }

  /** The truth for the datagrams `filter` selects. */
  truth(filter: (r: PacketRecord) => boolean): Truth {
    const selected = this.records.filter(filter);
    const delivered = selected.filter((r) => r.outAt !== undefined).sort((a, b) => a.outAt! - b.outAt!);
    const jitter = new JitterEstimator();
    for (const r of delivered) jitter.update(r.inAt, r.outAt!);
    const dropped = selected.length - delivered.length;
    return {
      packets: selected.length,
      dropped,
      lossPercent: selected.length ? (100 * dropped) / selected.length : 0,
      jitterMs: jitter.jitterMs,
      meanDelayMs: mean(delivered.map((r) => r.outAt! - r.inAt)),
    };
  }

  /** Stops relaying and closes every socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const s of this.#listeners) s.close();
    for (const s of this.#upstreams.values()) s.close();
    for (const c of this.#conns) c.destroy();
    for (const s of this.#servers) s.close();
  }
}
