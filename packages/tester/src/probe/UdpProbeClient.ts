import { JitterEstimator } from '../metrics/JitterEstimator.js';
import { LossCounter } from '../metrics/LossCounter.js';
import { mean, median, percentile } from '../metrics/percentile.js';
import type { Platform, UdpSocket } from '../platform/Platform.js';
import {
  decodeHeader,
  decodeReport,
  ECHO_REPLY_BYTES,
  encodeDownRequest,
  encodeHeader,
  HEADER_BYTES,
  hasToken,
  MessageType,
  type ProbeHeader,
  pacingFor,
  REPORT_BYTES,
  type UplinkReport,
} from '../wire/ProbeWire.js';

/** Where the probe responder listens. */
export interface ProbeTarget {
  host: string;
  port: number;
}

export interface EchoResult {
  probes: number;
  echoes: number;
  rttMs: number[];
}

export interface StreamOptions {
  rateKbps: number;
  durationMs: number;
  /** Packet spacing; 20 ms as in the spec's codecs. */
  intervalMs?: number;
  /** How long to wait for stragglers after the last packet, ms. */
  drainMs?: number;
  /** Uplink only: ask for an ack (RTT sample) every N packets; 0 for none. Default 1. */
  ackEvery?: number;
}

/** What one stream measured, in either direction. */
export interface StreamResult {
  direction: 'uplink' | 'downlink';
  rateKbps: number;
  packetBytes: number;
  sent: number;
  received: number;
  duplicates: number;
  reordered: number;
  lossPercent: number;
  jitterMs: number;
  rttMs: number[];
  rttMeanMs: number | null;
  rttP95Ms: number | null;
  /** Payload throughput the receiver saw, kbps. */
  throughputKbps: number;
  delayTrendMs: number;
  /** False when the server never answered the report request (uplink only). */
  reported: boolean;
}

type Handler = (h: ProbeHeader, data: Uint8Array, receivedAt: number) => void;

/** Queueing growth: median transit of the last fifth minus the first fifth (arrival order). */
export function delayTrend(transits: readonly number[]): number {
  if (transits.length < 5) return 0;
  const k = Math.max(1, Math.floor(transits.length / 5));
  return median(transits.slice(-k)) - median(transits.slice(0, k));
}

/**
 * The Tester's side of the UDP probe protocol over one socket: echoes for reachability and
 * RTT, paced uplink streams the server reports on, downlink streams the server sends.
 */
export class UdpProbeClient {
  readonly #socket: UdpSocket;
  readonly #platform: Platform;
  readonly #token: Uint8Array;
  readonly #handlers = new Map<number, Handler>();
  #nextStream = 1;
  #closed = false;

  constructor(socket: UdpSocket, platform: Platform, token: Uint8Array) {
    this.#socket = socket;
    this.#platform = platform;
    this.#token = token;
    socket.onMessage((data, at) => {
      if (!hasToken(data, this.#token)) return;
      const h = decodeHeader(data);
      if (h) this.#handlers.get(h.streamId)?.(h, data, at);
    });
  }

  #stream(handler: Handler): number {
    const id = this.#nextStream++;
    this.#handlers.set(id, handler);
    return id;
  }

  #send(target: ProbeTarget, h: Omit<ProbeHeader, 'token' | 'sendTimeMs'>, bytes: number): void {
    const buf = encodeHeader({ ...h, token: this.#token, sendTimeMs: this.#platform.now() }, bytes);
    this.#socket.send(buf, target.port, target.host);
  }

  /**
   * Sends up to `attempts` echo requests `spacingMs` apart, stopping at the first answer
   * unless `all` is set (then all are sent: RTT sampling).
   */
  async echo(
    target: ProbeTarget,
    attempts: number,
    spacingMs: number,
    waitMs: number,
    all = false,
  ): Promise<EchoResult> {
    const result: EchoResult = { probes: 0, echoes: 0, rttMs: [] };
    const seen = new Set<number>();
    const id = this.#stream((h, _d, at) => {
      if (h.type !== MessageType.EchoReply || seen.has(h.seq)) return;
      seen.add(h.seq);
      result.echoes += 1;
      result.rttMs.push(at - h.sendTimeMs);
    });
    try {
      for (let seq = 0; seq < attempts && !this.#closed; seq++) {
        if (!all && result.echoes > 0) break;
        this.#send(target, { type: MessageType.EchoRequest, streamId: id, seq }, ECHO_REPLY_BYTES);
        result.probes += 1;
        await this.#platform.sleep(spacingMs);
      }
      const deadline = this.#platform.now() + waitMs;
      while (result.echoes < (all ? result.probes : 1) && this.#platform.now() < deadline) {
        await this.#platform.sleep(10);
      }
    } finally {
      this.#handlers.delete(id);
    }
    return result;
  }

  /** Paces `rateKbps` toward the server, then asks it what it received. */
  async uplink(target: ProbeTarget, o: StreamOptions): Promise<StreamResult> {
    const intervalMs = o.intervalMs ?? 20;
    const { packetBytes, packetsPerTick } = pacingFor(o.rateKbps, intervalMs);
    const ticks = Math.max(1, Math.round(o.durationMs / intervalMs));
    const rtts: number[] = [];
    let report: UplinkReport | undefined;
    const id = this.#stream((h, data, at) => {
      if (h.type === MessageType.UpAck) rtts.push(at - h.sendTimeMs);
      else if (h.type === MessageType.Report) report ??= decodeReport(data);
    });
    let sent = 0;
    try {
      const start = this.#platform.now();
      for (let tick = 0; tick < ticks && !this.#closed; tick++) {
        // Drift-free pacing: each tick is scheduled from the start, not from the last send.
        const wait = start + tick * intervalMs - this.#platform.now();
        if (wait > 0) await this.#platform.sleep(wait);
        for (let p = 0; p < packetsPerTick; p++) {
          const buf = encodeHeader(
            {
              type: MessageType.UpData,
              token: this.#token,
              streamId: id,
              seq: sent,
              sendTimeMs: this.#platform.now(),
            },
            packetBytes,
          );
          buf[HEADER_BYTES] = Math.min(255, o.ackEvery ?? 1);
          this.#socket.send(buf, target.port, target.host);
          sent += 1;
        }
      }
      await this.#platform.sleep(o.drainMs ?? 300);
      for (let attempt = 0; attempt < 5 && !report && !this.#closed; attempt++) {
        this.#send(target, { type: MessageType.ReportRequest, streamId: id, seq: attempt }, REPORT_BYTES);
        const deadline = this.#platform.now() + 400;
        while (!report && this.#platform.now() < deadline) await this.#platform.sleep(10);
      }
    } finally {
      this.#handlers.delete(id);
    }
    const r = report as UplinkReport | undefined;
    const received = r?.received ?? 0;
    return {
      direction: 'uplink',
      rateKbps: o.rateKbps,
      packetBytes,
      sent,
      received,
      duplicates: r?.duplicates ?? 0,
      reordered: r?.reordered ?? 0,
      lossPercent: sent > 0 ? (100 * Math.max(0, sent - received)) / sent : 0,
      jitterMs: r?.jitterMs ?? 0,
      rttMs: rtts,
      rttMeanMs: rtts.length ? mean(rtts) : null,
      rttP95Ms: rtts.length ? percentile(rtts, 95) : null,
      throughputKbps: r?.deliveredKbps ?? 0,
      delayTrendMs: r?.delayTrendMs ?? 0,
      reported: r !== undefined,
    };
  }

  /** Asks the server for a paced stream and measures it; echoes every 100 ms give the RTT. */
  async downlink(target: ProbeTarget, o: StreamOptions): Promise<StreamResult> {
    const intervalMs = o.intervalMs ?? 20;
    const { packetBytes, packetsPerTick } = pacingFor(o.rateKbps, intervalMs);
    const ticks = Math.max(1, Math.round(o.durationMs / intervalMs));
    const expected = ticks * packetsPerTick;
    const loss = new LossCounter();
    const jitter = new JitterEstimator();
    const transits: number[] = [];
    let bytes = 0;
    let firstAt: number | undefined;
    let firstBytes = 0;
    let lastAt = 0;
    const id = this.#stream((h, data, at) => {
      if (h.type !== MessageType.DownData) return;
      const dup = loss.received;
      loss.record(h.seq);
      if (loss.received === dup) return; // a duplicate adds nothing to rate or jitter
      jitter.update(h.sendTimeMs, at);
      transits.push(at - h.sendTimeMs);
      bytes += data.byteLength;
      if (firstAt === undefined) {
        firstAt = at;
        firstBytes = data.byteLength;
      }
      lastAt = at;
    });
    const rtts: number[] = [];
    const pingId = this.#stream((h, _d, at) => {
      if (h.type === MessageType.EchoReply) rtts.push(at - h.sendTimeMs);
    });
    try {
      const request = (): void => {
        const buf = encodeDownRequest(
          {
            type: MessageType.DownRequest,
            token: this.#token,
            streamId: id,
            seq: 0,
            sendTimeMs: this.#platform.now(),
          },
          { intervalMs, packetBytes, packetsPerTick, ticks },
        );
        this.#socket.send(buf, target.port, target.host);
      };
      // The request itself can be lost: repeat until the stream starts (the server ignores repeats).
      for (let attempt = 0; attempt < 5 && firstAt === undefined && !this.#closed; attempt++) {
        request();
        const deadline = this.#platform.now() + 300;
        while (firstAt === undefined && this.#platform.now() < deadline) await this.#platform.sleep(5);
      }
      if (firstAt !== undefined) {
        const end = firstAt + ticks * intervalMs + (o.drainMs ?? 300);
        let seq = 0;
        let nextPing = this.#platform.now();
        while (this.#platform.now() < end && loss.received < expected && !this.#closed) {
          if (this.#platform.now() >= nextPing) {
            this.#send(
              target,
              { type: MessageType.EchoRequest, streamId: pingId, seq: seq++ },
              ECHO_REPLY_BYTES,
            );
            nextPing += 100;
          }
          await this.#platform.sleep(10);
        }
      }
    } finally {
      this.#handlers.delete(id);
      this.#handlers.delete(pingId);
    }
    const span = firstAt === undefined ? 0 : lastAt - firstAt;
    return {
      direction: 'downlink',
      rateKbps: o.rateKbps,
      packetBytes,
      sent: expected,
      received: loss.received,
      duplicates: loss.duplicates,
      reordered: loss.reordered,
      lossPercent: loss.lossPercent(expected),
      jitterMs: jitter.jitterMs,
      rttMs: rtts,
      rttMeanMs: rtts.length ? mean(rtts) : null,
      rttP95Ms: rtts.length ? percentile(rtts, 95) : null,
      throughputKbps: span > 0 ? ((bytes - firstBytes) * 8) / span : 0,
      delayTrendMs: delayTrend(transits),
      reported: firstAt !== undefined,
    };
  }

  /** Stops running streams early and releases the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.#socket.close();
  }
}
