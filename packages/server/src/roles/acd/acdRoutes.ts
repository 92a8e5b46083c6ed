import {
  AgentViewSchema,
  CallRecordSchema,
  ContactInfoSchema,
  canSupervise,
  isAdmin,
  QueueKpisSchema,
  SwitchboardError,
} from '@switchboard/protocol';
import { z } from 'zod';
import type { AcdService } from '../../acd/AcdService.js';
import type { CallRecord } from '../../acd/AcdTypes.js';
import { AgentConfigSchema, QueueConfigSchema } from '../../acd/schemas.js';
import type { TokenService } from '../../auth/TokenService.js';
import { requireBearer } from '../../http/authHelpers.js';
import { type RouteSpec, route } from '../../http/routes.js';
import { agentToWire, contactInfo } from './wire.js';

// The config schemas without `id` (it comes from the URL). Built from the shapes, so the
// queue's cross-field refinement runs in `configureQueue` (its error maps to INVALID_PARAMS).
const QueueBody = z.object(QueueConfigSchema.shape).omit({ id: true }).strict();
const QueueOut = z.object(QueueConfigSchema.shape);
const AgentBody = AgentConfigSchema.omit({ id: true }).strict();

const Outcome = z.enum(['answered', 'abandoned', 'overflowed', 'callback']);
const RecordsQuery = z
  .object({
    from: z.coerce
      .number()
      .int()
      .optional()
      .describe('Records of contacts that ended at or after (epoch ms).'),
    to: z.coerce.number().int().optional().describe('… and at or before (epoch ms).'),
    queueId: z.string().min(1).optional(),
    agentId: z.string().min(1).optional(),
    outcome: Outcome.optional(),
    limit: z.coerce.number().int().min(1).max(10_000).default(1000),
    format: z.enum(['json', 'csv']).default('json').describe('csv: a CSV export (text/csv).'),
  })
  .strict();

/** Columns of the CSV export, in order (the call record's fields; quality flattened). */
const CSV_COLUMNS = [
  'contactId',
  'queueId',
  'userId',
  'channel',
  'priority',
  'enqueuedAt',
  'queuedAt',
  'offeredAt',
  'answeredAt',
  'endedAt',
  'agentId',
  'outcome',
  'endReason',
  'waitMs',
  'talkMs',
  'holdMs',
  'wrapUpMs',
  'disposition',
  'offers',
  'overflowedFrom',
  'overflowedTo',
  'callback',
  'final',
  'mos',
  'verdict',
] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // Cells a spreadsheet would run as a formula are prefixed (CSV injection).
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function recordsToCsv(records: readonly CallRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) {
    const row: Record<string, unknown> = { ...r, mos: r.quality?.mos, verdict: r.quality?.verdict };
    lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function asParams<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof z.ZodError) {
      throw new SwitchboardError('SB_ERR_INVALID_PARAMS', 'Invalid request body.', {
        issues: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      });
    }
    throw err;
  }
}

/** The ACD's REST API: queue and agent administration (admin), live views, KPIs and records. */
export function acdRoutes(acd: AcdService, tokens: TokenService): RouteSpec[] {
  const admin = (request: Parameters<typeof requireBearer>[0]) =>
    requireBearer(request, tokens, 'admin', isAdmin);
  const reader = (request: Parameters<typeof requireBearer>[0]) =>
    requireBearer(request, tokens, 'supervise', canSupervise);
  const tags = ['acd'];
  return [
    route({
      method: 'GET',
      url: '/v1/queues',
      summary: 'Every ACD queue and its configuration.',
      tags,
      auth: 'bearer',
      grant: 'supervise (or admin)',
      response: z.object({ queues: z.array(QueueOut) }),
      handler: async (_input, request) => {
        await reader(request);
        return { queues: acd.listQueues() };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/queues/:id',
      summary: 'One queue’s configuration.',
      tags,
      auth: 'bearer',
      grant: 'supervise (or admin)',
      response: QueueOut,
      handler: async ({ params }, request) => {
        await reader(request);
        return acd.getQueue(params.id ?? '');
      },
    }),
    route({
      method: 'PUT',
      url: '/v1/queues/:id',
      summary: 'Create or replace a queue (takes effect at once; contacts keep their places).',
      tags,
      auth: 'bearer',
      grant: 'admin',
      body: QueueBody,
      response: QueueOut,
      handler: async ({ body, params }, request) => {
        await admin(request);
        return asParams(() => acd.configureQueue({ ...body, id: params.id ?? '' }));
      },
    }),
    route({
      method: 'DELETE',
      url: '/v1/queues/:id',
      summary: 'Remove a queue that has no contacts left (SB_ERR_QUEUE_NOT_EMPTY otherwise).',
      tags,
      auth: 'bearer',
      grant: 'admin',
      response: z.object({ removed: z.string() }),
      handler: async ({ params }, request) => {
        await admin(request);
        acd.removeQueue(params.id ?? '');
        return { removed: params.id ?? '' };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/queues/:id/kpis',
      summary: 'Queue KPIs (service level, ASA, AHT, abandonment, waits, agents by state) over a window.',
      tags,
      auth: 'bearer',
      grant: 'supervise (or admin)',
      query: z
        .object({
          windowMs: z.coerce
            .number()
            .int()
            .min(1000)
            .optional()
            .describe(
              'Count contacts that left the queue in the last windowMs (default: all retained, 24 h).',
            ),
        })
        .strict(),
      response: QueueKpisSchema,
      handler: async ({ params, query }, request) => {
        await reader(request);
        return acd.queueKpis(params.id ?? '', { windowMs: query.windowMs ?? null });
      },
    }),
    route({
      method: 'GET',
      url: '/v1/agents',
      summary: 'Every agent with its live status and state.',
      tags,
      auth: 'bearer',
      grant: 'supervise (or admin)',
      response: z.object({ agents: z.array(AgentViewSchema) }),
      handler: async (_input, request) => {
        await reader(request);
        return { agents: acd.listAgents().map(agentToWire) };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/agents/:id',
      summary: 'One agent with its live status and state.',
      tags,
      auth: 'bearer',
      grant: 'supervise (or admin)',
      response: AgentViewSchema,
      handler: async ({ params }, request) => {
        await reader(request);
        return agentToWire(acd.getAgent(params.id ?? ''));
      },
    }),
    route({
      method: 'PUT',
      url: '/v1/agents/:id',
      summary: 'Create or replace an agent (queues served, skills, capacity per channel).',
      tags,
      auth: 'bearer',
      grant: 'admin',
      body: AgentBody,
      response: AgentViewSchema,
      handler: async ({ body, params }, request) => {
        await admin(request);
        return agentToWire(asParams(() => acd.configureAgent({ ...body, id: params.id ?? '' })));
      },
    }),
    route({
      method: 'DELETE',
      url: '/v1/agents/:id',
      summary: 'Remove a logged-out agent (SB_ERR_AGENT_BUSY while logged in).',
      tags,
      auth: 'bearer',
      grant: 'admin',
      response: z.object({ removed: z.string() }),
      handler: async ({ params }, request) => {
        await admin(request);
        acd.removeAgent(params.id ?? '');
        return { removed: params.id ?? '' };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/contacts',
      summary: 'Live contacts (waiting, offered, connecting, on call), in queue order.',
      tags,
      auth: 'bearer',
      grant: 'supervise (or admin)',
      query: z
        .object({
          queueId: z.string().min(1).optional(),
          state: z.enum(['waiting', 'offered', 'connecting', 'oncall']).optional(),
        })
        .strict(),
      response: z.object({ contacts: z.array(ContactInfoSchema) }),
      handler: async ({ query }, request) => {
        await reader(request);
        const contacts = acd
          .listContacts(query.queueId)
          .filter((c) => query.state === undefined || c.state === query.state);
        return { contacts: contacts.map(contactInfo) };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/calls',
      summary: 'Calls in progress: contacts being connected to or talking with an agent.',
      tags,
      auth: 'bearer',
      grant: 'supervise (or admin)',
      query: z.object({ queueId: z.string().min(1).optional() }).strict(),
      response: z.object({ calls: z.array(ContactInfoSchema.extend({ callId: z.string() })) }),
      handler: async ({ query }, request) => {
        await reader(request);
        const calls = acd
          .listContacts(query.queueId)
          .filter((c) => c.state === 'connecting' || c.state === 'oncall');
        return { calls: calls.map((c) => ({ ...contactInfo(c), callId: `acd-${c.id}` })) };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/records',
      summary: 'Call records (one per contact), filtered by end time, queue, agent and outcome; JSON or CSV.',
      tags,
      auth: 'bearer',
      grant: 'admin (or supervise)',
      query: RecordsQuery,
      response: z.object({ records: z.array(CallRecordSchema) }),
      handler: async ({ query }, request, reply) => {
        await reader(request);
        const filtered = acd
          .listRecords({
            ...(query.queueId !== undefined ? { queueId: query.queueId } : {}),
            ...(query.from !== undefined ? { endedFrom: query.from } : {}),
            ...(query.to !== undefined ? { endedTo: query.to } : {}),
          })
          .filter(
            (r) =>
              (query.agentId === undefined || r.agentId === query.agentId) &&
              (query.outcome === undefined || r.outcome === query.outcome),
          )
          .slice(0, query.limit);
        if (query.format === 'csv') {
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', 'attachment; filename="call-records.csv"')
            .send(recordsToCsv(filtered));
          return undefined;
        }
        return { records: filtered };
      },
    }),
  ];
}
