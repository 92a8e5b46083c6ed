import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import {
  DOWN_REQUEST_BYTES,
  decodeDownRequest,
  decodeHeader,
  delayTrend,
  encodeHeader,
  encodeReply,
  encodeReport,
  HEADER_BYTES,
  hasToken,
  JitterEstimator,
  LossCounter,
  MAX_DATAGRAM_BYTES,
  MessageType,
  MIN_STREAM_PACKET_BYTES,
  type ProbeHeader,
  REPORT_BYTES,
  type UplinkReport,
  upDataAckEvery,
} from '@switchboard/tester';
import {
  attr,
  decodeStunMessage,
  encodeStunMessage,
  getAttribute,
  isStunMessage,
  StunAttr,
  StunMethod,
} from '@switchboard/tester/node';

/** Limits a responder enforces on what a client may ask of it. */
export interface ResponderLimits {
  maxKbps: number;
  maxStreamMs: number;
  /** Uplink streams remembered at once (oldest forgotten first). */
  maxStreams?: number;
  /** Downlink streams running at once. */
  maxDownlinks?: number;
}

interface UplinkState {
  loss: LossCounter;
  jitter: JitterEstimator;
  transits: number[];
  bytes: number;
  firstAt: number;
  firstBytes: number;
  lastAt: number;
}

const MAX_TRANSITS = 20_000;

/**
 * One UDP echo/timestamp responder on one sampled port: answers echoes, acknowledges and
 * measures uplink streams, reports on them, and sends paced downlink streams. Only datagrams
 * carrying the session token are answered.
 */
export class ProbeResponder {
  readonly port: number;
  readonly #socket: Socket;
  readonly #token: Uint8Array;
  readonly #tokenHex: string;
  readonly #limits: Required<ResponderLimits>;
  readonly #uplinks = new Map<number, UplinkState>();
  readonly #downlinks = new Map<number, NodeJS.Timeout | undefined>();
  readonly #finished = new Set<number>();
  #closed = false;

  private constructor(socket: Socket, port: number, token: Uint8Array, limits: ResponderLimits) {
    this.#socket = socket;
    this.port = port;
    this.#token = token;
    this.#tokenHex = Buffer.from(token).toString('hex');
    this.#limits = { maxStreams: 64, maxDownlinks: 2, ...limits };
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo, performance.now()));
    // Sends to a vanished client surface as errors on some kernels; the probe just moves on.
    socket.on('error', () => undefined);
  }

  /** Binds `host:port`; rejects (EADDRINUSE…) when the port cannot be bound. */
  static open(
    host: string,
    port: number,
    token: Uint8Array,
    limits: ResponderLimits,
  ): Promise<ProbeResponder> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve(new ProbeResponder(socket, socket.address().port, token, limits));
      });
    });
  }

  #reply(buf: Uint8Array, rinfo: RemoteInfo): void {
    if (!this.#closed) this.#socket.send(buf, rinfo.port, rinfo.address);
  }

  #onMessage(msg: Buffer, rinfo: RemoteInfo, at: number): void {
    if (isStunMessage(msg)) {
      this.#answerBinding(msg, rinfo);
      return;
    }
    const data = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    if (!hasToken(data, this.#token)) return;
    const h = decodeHeader(data);
    if (!h) return;
    switch (h.type) {
      case MessageType.EchoRequest:
        // Anti-amplification: the reply is never larger than the request.
        if (data.byteLength >= HEADER_BYTES + 8)
          this.#reply(encodeReply(h, MessageType.EchoReply, at), rinfo);
        break;
      case MessageType.UpData:
        this.#recordUplink(h, data.byteLength, at);
        if (data.byteLength >= MIN_STREAM_PACKET_BYTES) {
          const every = upDataAckEvery(data);
          if (every > 0 && h.seq % every === 0) this.#reply(encodeReply(h, MessageType.UpAck, at), rinfo);
        }
        break;
      case MessageType.ReportRequest:
        if (data.byteLength >= REPORT_BYTES) this.#reply(encodeReport(h, this.report(h.streamId)), rinfo);
        break;
      case MessageType.DownRequest:
        if (data.byteLength >= DOWN_REQUEST_BYTES) this.#startDownlink(h, data, rinfo);
        break;
      default:
        break;
    }
  }

  /**
   * STUN Binding (the Tester's public-address and NAT-mapping check, towards two responder
   * ports from one socket). Answered only when USERNAME is the session token, and the answer
   * is never larger than the request, so a responder cannot be used as a reflector.
   */
  #answerBinding(msg: Buffer, rinfo: RemoteInfo): void {
    let request: ReturnType<typeof decodeStunMessage>;
    try {
      request = decodeStunMessage(msg);
    } catch {
      return;
    }
    if (request.method !== StunMethod.Binding || request.cls !== 'request') return;
    if (getAttribute(request, StunAttr.Username)?.toString('utf8') !== this.#tokenHex) return;
    const family = rinfo.family === 'IPv6' ? 'IPv6' : 'IPv4';
    const response = encodeStunMessage(
      {
        method: StunMethod.Binding,
        cls: 'success',
        transactionId: request.transactionId,
        attributes: [
          attr.xorAddress(
            StunAttr.XorMappedAddress,
            { family, address: rinfo.address, port: rinfo.port },
            request.transactionId,
          ),
        ],
      },
      { fingerprint: true },
    );
    if (response.byteLength <= msg.byteLength) this.#reply(response, rinfo);
  }

  #recordUplink(h: ProbeHeader, bytes: number, at: number): void {
    let s = this.#uplinks.get(h.streamId);
    if (!s) {
      if (this.#uplinks.size >= this.#limits.maxStreams) {
        const oldest = this.#uplinks.keys().next().value;
        if (oldest !== undefined) this.#uplinks.delete(oldest);
      }
      s = {
        loss: new LossCounter(),
        jitter: new JitterEstimator(),
        transits: [],
        bytes: 0,
        firstAt: at,
        firstBytes: bytes,
        lastAt: at,
      };
      this.#uplinks.set(h.streamId, s);
    }
    const before = s.loss.received;
    s.loss.record(h.seq);
    if (s.loss.received === before) return;
    s.jitter.update(h.sendTimeMs, at);
    if (s.transits.length < MAX_TRANSITS) s.transits.push(at - h.sendTimeMs);
    s.bytes += bytes;
    s.lastAt = at;
  }

  /** What this responder received of uplink stream `streamId` (zeros when nothing). */
  report(streamId: number): UplinkReport {
    const s = this.#uplinks.get(streamId);
    if (!s)
      return {
        received: 0,
        duplicates: 0,
        reordered: 0,
        bytes: 0,
        jitterMs: 0,
        deliveredKbps: 0,
        delayTrendMs: 0,
      };
    const span = s.lastAt - s.firstAt;
    return {
      received: s.loss.received,
      duplicates: s.loss.duplicates,
      reordered: s.loss.reordered,
      bytes: s.bytes,
      jitterMs: s.jitter.jitterMs,
      deliveredKbps: span > 0 ? ((s.bytes - s.firstBytes) * 8) / span : 0,
      delayTrendMs: delayTrend(s.transits),
    };
  }

  #startDownlink(h: ProbeHeader, data: Uint8Array, rinfo: RemoteInfo): void {
    // A repeated request (the first answer was slow or lost) must not start a second stream.
    if (this.#downlinks.has(h.streamId) || this.#finished.has(h.streamId)) return;
    if (this.#downlinks.size >= this.#limits.maxDownlinks) return;
    const body = decodeDownRequest(data);
    if (!body) return;
    const { intervalMs, packetBytes, packetsPerTick, ticks } = body;
    const kbps = (packetBytes * packetsPerTick * 8) / Math.max(1, intervalMs);
    if (
      intervalMs < 5 ||
      intervalMs > 1000 ||
      packetBytes < MIN_STREAM_PACKET_BYTES ||
      packetBytes > MAX_DATAGRAM_BYTES ||
      packetsPerTick < 1 ||
      kbps > this.#limits.maxKbps * 1.01 ||
      ticks * intervalMs > this.#limits.maxStreamMs
    ) {
      return;
    }
    this.#downlinks.set(h.streamId, undefined);
    const start = performance.now();
    let tick = 0;
    let seq = 0;
    const step = (): void => {
      if (this.#closed) return;
      for (let p = 0; p < packetsPerTick; p++) {
        const buf = encodeHeader(
          {
            type: MessageType.DownData,
            token: this.#token,
            streamId: h.streamId,
            seq: seq++,
            sendTimeMs: performance.now(),
          },
          packetBytes,
        );
        this.#reply(buf, rinfo);
      }
      tick += 1;
      if (tick >= ticks) {
        // Finished streams stop counting against the concurrency limit, but stay remembered
        // so a late repeat of the request does not start the stream again.
        this.#downlinks.delete(h.streamId);
        if (this.#finished.size >= this.#limits.maxStreams) this.#finished.clear();
        this.#finished.add(h.streamId);
        return;
      }
      const wait = start + tick * intervalMs - performance.now();
      this.#downlinks.set(h.streamId, setTimeout(step, Math.max(0, wait)));
    };
    step();
  }

  /** Stops streams and closes the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#downlinks.values()) if (timer) clearTimeout(timer);
    this.#downlinks.clear();
    this.#uplinks.clear();
    this.#socket.close();
  }
}
