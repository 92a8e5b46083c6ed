import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MediaService } from '../../media/MediaService.js';
import type { ParticipantQuality } from '../../media/MediaTypes.js';

/**
 * Media metrics fed by the media observer (never the packet path). Distributions across
 * participants, not per-call labels: Prometheus would drown in one series per call.
 */
export class CallMetrics {
  readonly #remove: () => void;
  readonly #lastDropped = new Map<string, { replayed: number; rejected: number }>();
  readonly #off: () => void;

  constructor(registry: Registry, media: MediaService) {
    new Gauge({
      name: 'switchboard_media_calls',
      help: 'Calls (media rooms) in progress.',
      registers: [registry],
      collect() {
        this.set(media.rooms.length);
      },
    });
    new Gauge({
      name: 'switchboard_media_participants',
      help: 'Participants connected to the media server.',
      registers: [registry],
      collect() {
        this.set(media.rooms.reduce((n, r) => n + r.participants.length, 0));
      },
    });
    const rtt = new Histogram({
      name: 'switchboard_media_rtt_seconds',
      help: 'Round-trip time between the media server and participants (RTCP), per quality sample.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1],
      registers: [registry],
    });
    const jitter = new Histogram({
      name: 'switchboard_media_jitter_seconds',
      help: 'Interarrival jitter of media streams (RFC 3550), per stream sample.',
      buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2],
      registers: [registry],
    });
    const loss = new Histogram({
      name: 'switchboard_media_loss_ratio',
      help: 'Packet loss of media streams as a ratio (0.015 = the spec’s 1.5 %), per stream sample.',
      buckets: [0.001, 0.005, 0.01, 0.015, 0.03, 0.05, 0.1, 0.2],
      registers: [registry],
    });
    const mos = new Histogram({
      name: 'switchboard_media_mos',
      help: 'Mean opinion score (E-model, 1–4.5) of participants, per quality sample.',
      buckets: [1.5, 2, 2.5, 3, 3.5, 3.8, 4, 4.2, 4.4],
      registers: [registry],
    });
    const dropped = new Counter({
      name: 'switchboard_media_packets_dropped_total',
      help: 'Inbound SRTP/SRTCP packets dropped: replayed (replay window) or rejected (authentication).',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    new Counter({
      name: 'switchboard_media_shared_port_dropped_total',
      help: 'Single-port mode: datagrams the shared UDP port could give to no participant (unknown_source: not a connectivity check, from an unbound address; unknown_username: a check naming no participant).',
      labelNames: ['reason'] as const,
      registers: [registry],
      async collect() {
        const counters = await media.sharedPortCounters();
        this.reset();
        if (!counters) return;
        this.inc({ reason: 'unknown_source' }, counters.unknownSource);
        this.inc({ reason: 'unknown_username' }, counters.unknownUsername);
      },
    });
    if (media.workerCounts) {
      const counts = media.workerCounts.bind(media);
      new Gauge({
        name: 'switchboard_media_workers',
        help: 'Media worker processes (media.workers): configured, and running now (a dead one is restarted).',
        labelNames: ['state'] as const,
        registers: [registry],
        collect() {
          const c = counts();
          this.set({ state: 'configured' }, c.configured);
          this.set({ state: 'running' }, c.running);
        },
      });
      new Counter({
        name: 'switchboard_media_worker_restarts_total',
        help: 'Media worker processes started again after one died (its calls ended).',
        registers: [registry],
        collect() {
          this.reset();
          this.inc(counts().restarts);
        },
      });
    }
    const names = [
      'switchboard_media_workers',
      'switchboard_media_worker_restarts_total',
      'switchboard_media_shared_port_dropped_total',
      'switchboard_media_calls',
      'switchboard_media_participants',
      'switchboard_media_rtt_seconds',
      'switchboard_media_jitter_seconds',
      'switchboard_media_loss_ratio',
      'switchboard_media_mos',
      'switchboard_media_packets_dropped_total',
    ];
    this.#remove = () => {
      for (const name of names) registry.removeSingleMetric(name);
    };
    const onQuality = (q: ParticipantQuality) => {
      if (q.rttMs !== null) rtt.observe(q.rttMs / 1000);
      mos.observe(q.mos);
      for (const s of q.streams) {
        jitter.observe(s.jitterMs / 1000);
        loss.observe(s.lossPercent / 100);
      }
      const key = `${q.roomId}/${q.participantId}`;
      const last = this.#lastDropped.get(key) ?? { replayed: 0, rejected: 0 };
      if (q.replayedPackets > last.replayed)
        dropped.inc({ reason: 'replayed' }, q.replayedPackets - last.replayed);
      if (q.rejectedPackets > last.rejected)
        dropped.inc({ reason: 'rejected' }, q.rejectedPackets - last.rejected);
      this.#lastDropped.set(key, { replayed: q.replayedPackets, rejected: q.rejectedPackets });
    };
    const onLeft = ({ roomId, participantId }: { roomId: string; participantId: string }) =>
      this.#lastDropped.delete(`${roomId}/${participantId}`);
    const offQuality = media.observer.on('quality', onQuality);
    const offLeft = media.observer.on('participantLeft', onLeft);
    this.#off = () => {
      offQuality();
      offLeft();
    };
  }

  close(): void {
    this.#off();
    this.#remove();
  }
}
