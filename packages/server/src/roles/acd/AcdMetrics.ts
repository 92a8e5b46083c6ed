import { Counter, Gauge, type Registry } from 'prom-client';
import type { AcdService } from '../../acd/AcdService.js';
import type { QueueKpis } from '../../acd/AcdTypes.js';
import type { DeliveryResult } from './webhooks/WebhookDispatcher.js';

/**
 * ACD metrics: per-queue gauges computed from the KPIs at scrape time (queues are few, so a
 * `queue` label is fine), counters fed by ACD events. No per-contact or per-agent labels.
 */
export class AcdMetrics {
  readonly contacts: Counter<'queue' | 'outcome'>;
  readonly offers: Counter<'result'>;
  readonly webhooks: Counter<'result'>;

  constructor(registry: Registry, acd: AcdService, windowMs: number) {
    // One KPI computation per queue per scrape, shared by every gauge of that scrape: reused
    // only while no ACD event was applied since (lastSeq) and for at most 250 ms (the
    // time-derived figures). A cache on time alone served a scrape 200 ms later the previous
    // one's queues and agent states.
    let cache: { at: number; seq: number; kpis: QueueKpis[] } | null = null;
    const kpis = (): QueueKpis[] => {
      const now = Date.now();
      if (cache === null || cache.seq !== acd.lastSeq || now - cache.at > 250) {
        cache = {
          at: now,
          seq: acd.lastSeq,
          kpis: acd.listQueues().map((q) => acd.queueKpis(q.id, { windowMs })),
        };
      }
      return cache.kpis;
    };
    const gauge = (name: string, help: string, value: (k: QueueKpis) => number | null) =>
      new Gauge({
        name,
        help,
        labelNames: ['queue'] as const,
        registers: [registry],
        collect() {
          this.reset();
          for (const k of kpis()) {
            const v = value(k);
            if (v !== null) this.set({ queue: k.queueId }, v);
          }
        },
      });
    const window = `over the last ${Math.round(windowMs / 60_000)} min (acd.metricsWindowMs)`;
    gauge('switchboard_acd_waiting_contacts', 'Contacts waiting in the queue now.', (k) => k.waiting);
    gauge(
      'switchboard_acd_longest_wait_seconds',
      'Wait of the longest-waiting contact in the queue now.',
      (k) => k.longestWaitingMs / 1000,
    );
    gauge(
      'switchboard_acd_estimated_wait_seconds',
      'Estimated wait of a contact arriving now (absent without staffed agents).',
      (k) => (k.estimatedWaitMs === null ? null : k.estimatedWaitMs / 1000),
    );
    gauge(
      'switchboard_acd_service_level_ratio',
      `Answered within T / (answered + abandoned after T), ${window}.`,
      (k) => k.serviceLevel,
    );
    gauge('switchboard_acd_asa_seconds', `Average speed of answer, ${window}.`, (k) =>
      k.asaMs === null ? null : k.asaMs / 1000,
    );
    gauge('switchboard_acd_aht_seconds', `Average handle time (talk + hold + wrap-up), ${window}.`, (k) =>
      k.ahtMs === null ? null : k.ahtMs / 1000,
    );
    gauge(
      'switchboard_acd_abandonment_ratio',
      `Abandoned / (answered + abandoned), ${window}.`,
      (k) => k.abandonmentRate,
    );
    gauge(
      'switchboard_acd_occupancy_ratio',
      'Busy / (busy + available) among the queue’s logged-in agents, now.',
      (k) => k.occupancy,
    );
    gauge('switchboard_acd_offered_contacts', `Contacts that left the queue, ${window}.`, (k) => k.offered);
    new Gauge({
      name: 'switchboard_acd_agents',
      help: 'Agents serving the queue, by state (Offline, NotReady, Idle, Offered, Connecting, OnCall, WrapUp, Disconnected).',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const k of kpis()) {
          for (const [state, n] of Object.entries(k.agentsByState)) this.set({ queue: k.queueId, state }, n);
        }
      },
    });
    this.contacts = new Counter({
      name: 'switchboard_acd_contacts_ended_total',
      help: 'Contacts that ended, by queue and outcome (answered, abandoned, overflowed, callback).',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    });
    this.offers = new Counter({
      name: 'switchboard_acd_offers_total',
      help: 'Offers made to agents, by result (created, accepted, rejected, expired, rescinded).',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    this.webhooks = new Counter({
      name: 'switchboard_webhook_attempts_total',
      help: 'Webhook delivery attempts, by result (delivered, retry, failed).',
      labelNames: ['result'] as const,
      registers: [registry],
    });
  }

  webhookResult(result: DeliveryResult): void {
    this.webhooks.inc({ result });
  }
}
