import { type SrtcpTransport, sendSrtcp } from './icePair.js';
import {
  compactNtp,
  MAX_REPORT_BLOCKS,
  type ReportBlock,
  writeReceiverReport,
  writeSdesCnames,
  writeSenderReport,
} from './rtcpBytes.js';
import { srtpKeysOf } from './weriftPatches.js';

/** The werift RTP sender fields an SR is made of (and that its RTT estimate reads back). */
export interface ReportingSender {
  ssrc: number;
  cname?: string;
  stopped: boolean;
  packetCount: number;
  octetCount: number;
  rtpTimestamp: number;
  ntpTimestamp: bigint;
  /** Compact NTP of our last SR: werift matches the LSR of incoming RRs against it. */
  lastSRtimestamp?: number;
  /** `Date.now() / 1000` when that SR left: werift's RTT = now − this − DLSR. */
  lastSentSRTimestamp?: number;
  rtcpRunning: boolean;
  rtcpCancel: AbortController;
  runRtcp(): unknown;
}

/** The werift receiver statistics (one per inbound SSRC) a report block is made of. */
interface StreamStatistics {
  max_seq?: number;
  cycles: number;
  jitter: number;
  packets_lost: number;
  /** A getter with a side effect: reading it starts the next report interval. */
  fraction_lost: number;
}

/** The werift RTP receiver fields an RR is made of. */
export interface ReportingReceiver {
  rtcpSsrc: number;
  stopped: boolean;
  remoteStreams: Record<number, StreamStatistics | undefined>;
  lastSRtimestamp: Record<number, number | undefined>;
  receiveLastSRTimestamp: Record<number, number | undefined>;
  rtcpRunning: boolean;
  rtcpCancel: AbortController;
  runRtcp(): unknown;
}

/** RFC 3550 §6.3.5 randomisation around werift's (and browsers') ~1 s video interval. */
const MIN_INTERVAL_MS = 500;
const SPREAD_MS = 1000;

const byTransport = new WeakMap<object, TransportReports>();

/**
 * The periodic RTCP reports of one DTLS transport on the forwarding fast path. Every 0.5–1.5 s
 * one compound packet: an SR per sender that has sent media, one RR with a report block per
 * received stream, an SDES CNAME per sender; written as bytes, protected with our SRTCP keys
 * and sent on the transport's nominated pair.
 *
 * It replaces werift's loops, which per sender and per receiver each cost a timer with an
 * AbortSignal, a tree of packet objects, a BigInt SRTCP IV and a promise every second, and
 * ran unoptimised because each runs rarely: about 10 % of the server's CPU in `bench:sfu`.
 * werift's own SR/RR bookkeeping (the LSR its RTT estimate matches) is kept up to date.
 */
export class TransportReports {
  readonly #dtls: SrtcpTransport;
  readonly #senders = new Set<ReportingSender>();
  readonly #receivers = new Set<ReportingReceiver>();
  #timer: NodeJS.Timeout | undefined;
  #sent = 0;

  private constructor(dtls: SrtcpTransport) {
    this.#dtls = dtls;
  }

  /** The reports of a werift DTLS transport (created on first use). */
  static of(dtlsTransport: object): TransportReports {
    let reports = byTransport.get(dtlsTransport);
    if (!reports) {
      reports = new TransportReports(dtlsTransport as SrtcpTransport);
      byTransport.set(dtlsTransport, reports);
    }
    return reports;
  }

  /** Compound packets sent so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Reports for `sender` from now on, in place of its werift loop. */
  addSender(sender: ReportingSender): void {
    if (this.#senders.has(sender)) return;
    takeOverLoop(sender);
    this.#senders.add(sender);
    this.#schedule();
  }

  /** Report blocks for `receiver`'s streams from now on, in place of its werift loop. */
  addReceiver(receiver: ReportingReceiver): void {
    if (this.#receivers.has(receiver)) return;
    takeOverLoop(receiver);
    this.#receivers.add(receiver);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.#tick(), MIN_INTERVAL_MS + Math.random() * SPREAD_MS);
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = undefined;
    const state = this.#dtls.state;
    if (state === 'closed' || state === 'failed') {
      this.#senders.clear();
      this.#receivers.clear();
      byTransport.delete(this.#dtls);
      return;
    }
    for (const s of this.#senders) if (s.stopped) this.#senders.delete(s);
    for (const r of this.#receivers) if (r.stopped) this.#receivers.delete(r);
    if (this.#senders.size === 0 && this.#receivers.size === 0) return;
    if (state === 'connected') this.#send();
    this.#schedule();
  }

  #send(): void {
    // Without our keys (AEAD-GCM), do not build a report: that would close a loss interval.
    if (!srtpKeysOf(this.#dtls)) return;
    const packets = this.compound(Date.now());
    if (packets.length === 0) return;
    if (sendSrtcp(this.#dtls, packets.length === 1 ? packets[0]! : Buffer.concat(packets))) this.#sent++;
  }

  /**
   * The plaintext RTCP packets of one report at `nowMs`, in compound order (SRs, RRs, SDES),
   * updating the senders' SR bookkeeping and the receivers' loss intervals.
   */
  compound(nowMs: number): Buffer[] {
    const srs: Buffer[] = [];
    const cnames: { ssrc: number; cname: string }[] = [];
    for (const s of this.#senders) {
      if (s.packetCount === 0) continue;
      const ntp = s.ntpTimestamp;
      srs.push(
        writeSenderReport({
          ssrc: s.ssrc,
          ntp,
          rtpTimestamp: s.rtpTimestamp,
          packetCount: s.packetCount,
          octetCount: s.octetCount,
        }),
      );
      s.lastSRtimestamp = compactNtp(ntp);
      s.lastSentSRTimestamp = nowMs / 1000;
      if (s.cname && cnames.length < MAX_REPORT_BLOCKS) cnames.push({ ssrc: s.ssrc, cname: s.cname });
    }
    const blocks: ReportBlock[] = [];
    let rrSsrc: number | undefined;
    for (const r of this.#receivers) {
      rrSsrc ??= r.rtcpSsrc;
      for (const [key, stream] of Object.entries(r.remoteStreams)) {
        if (!stream || stream.max_seq === undefined) continue;
        const ssrc = Number(key);
        const lsr = r.lastSRtimestamp[ssrc] ?? 0;
        const receivedAt = r.receiveLastSRTimestamp[ssrc];
        const delay = lsr && receivedAt ? nowMs / 1000 - receivedAt : 0;
        blocks.push({
          ssrc,
          fractionLost: stream.fraction_lost,
          packetsLost: stream.packets_lost,
          highestSequence: stream.cycles + stream.max_seq,
          jitter: stream.jitter,
          lsr,
          dlsr: delay > 0 && delay < 65_536 ? Math.floor(delay * 65_536) : 0,
        });
      }
    }
    const rrs: Buffer[] = [];
    if (rrSsrc !== undefined) {
      for (let i = 0; i < blocks.length; i += MAX_REPORT_BLOCKS) {
        rrs.push(writeReceiverReport(rrSsrc, blocks.slice(i, i + MAX_REPORT_BLOCKS)));
      }
    }
    if (srs.length === 0 && rrs.length === 0) return [];
    return cnames.length > 0 ? [...srs, ...rrs, writeSdesCnames(cnames)] : [...srs, ...rrs];
  }
}

/** Stops werift's RTCP loop of a sender or receiver for good (werift restarts it per packet). */
function takeOverLoop(owner: {
  rtcpRunning: boolean;
  rtcpCancel: AbortController;
  runRtcp(): unknown;
}): void {
  owner.runRtcp = () => undefined;
  owner.rtcpRunning = false;
  // The loop is awaiting its timer with this signal: abort ends it without one more report.
  owner.rtcpCancel.abort();
}
