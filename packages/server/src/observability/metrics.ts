import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The platform's Prometheus metrics, on a registry of its own (so several platforms can
 * live in one test process). Names follow Prometheus conventions: `switchboard_` prefix,
 * base units, `_total` only on counters, no per-call or per-session labels.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly connections = new Gauge({
    name: 'switchboard_signalling_connections',
    help: 'Open signalling transports (WebSocket connections, held long-polls).',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly sessions = new Gauge({
    name: 'switchboard_signalling_sessions',
    help: 'Live signalling sessions, attached or within their reclaim window.',
    registers: [this.registry],
  });

  readonly messages = new Counter({
    name: 'switchboard_signalling_messages_received_total',
    help: 'Signalling requests received, by transport and message type ("invalid" when unparseable).',
    labelNames: ['transport', 'type'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'switchboard_errors_total',
    help: 'Errors returned to clients, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly sessionsResumed = new Counter({
    name: 'switchboard_signalling_sessions_resumed_total',
    help: 'Sessions re-attached within their reclaim window.',
    registers: [this.registry],
  });

  readonly sessionsExpired = new Counter({
    name: 'switchboard_signalling_sessions_expired_total',
    help: 'Sessions closed because their reclaim window ran out.',
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'HTTP request handling time, by listener, route pattern and status class.',
    labelNames: ['listener', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 35],
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, GC and event-loop lag (switchboard_nodejs_eventloop_lag_*).
    collectDefaultMetrics({
      register: this.registry,
      prefix: 'switchboard_',
      eventLoopMonitoringPrecision: 20,
    });
    // prom-client names some gauges `*_total` (active handles/requests/resources); Prometheus
    // reserves that suffix for counters, so those are left out.
    for (const metric of this.registry.getMetricsAsArray()) {
      if (metric.name.endsWith('_total') && !(metric instanceof Counter))
        this.registry.removeSingleMetric(metric.name);
    }
  }
}
