import { SwitchboardError } from '@switchboard/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** How a REST route authenticates its caller. */
export type RouteAuth = 'none' | 'apiKey' | 'bearer';

/**
 * One REST route: its schemas give the runtime check, the TypeScript types and the
 * OpenAPI description — nothing is written twice.
 */
export interface RouteSpec<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tags: string[];
  auth: RouteAuth;
  /** Grant needed (bearer routes), for the docs. */
  grant?: string;
  body?: B;
  query?: Q;
  /** Schema of the success body; omitted for non-JSON responses. */
  response?: R;
  successStatus?: number;
  /** Rate limit per address per minute; defaults to the listener's. */
  rateLimitPerMinute?: number;
  handler: (
    input: { body: z.infer<B>; query: z.infer<Q>; params: Record<string, string> },
    request: FastifyRequest,
    reply: FastifyReply,
  ) => Promise<z.infer<R> | undefined> | z.infer<R> | undefined;
}

/** Keeps the generic parameters when routes are collected in one array. */
export function route<B extends z.ZodType, Q extends z.ZodType, R extends z.ZodType>(
  spec: RouteSpec<B, Q, R>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

function validate(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new SwitchboardError('SB_ERR_INVALID_PARAMS', `Invalid ${where}.`, {
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

export function registerRoutes(app: FastifyInstance, routes: readonly RouteSpec[]): void {
  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.url,
      ...(spec.rateLimitPerMinute
        ? { config: { rateLimit: { max: spec.rateLimitPerMinute, timeWindow: 60_000 } } }
        : {}),
      handler: async (request, reply) => {
        const body = validate(spec.body, request.body, 'request body');
        const query = validate(spec.query, request.query, 'query');
        const result = await spec.handler(
          { body, query, params: request.params as Record<string, string> },
          request,
          reply,
        );
        if (reply.sent) return reply;
        if (spec.successStatus) reply.status(spec.successStatus);
        return result ?? {};
      },
    });
  }
}

const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

/** Builds the OpenAPI 3.1 document from route specs. */
export function buildOpenApi(routes: readonly RouteSpec[], info: { title: string; version: string }): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = spec.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [...spec.url.matchAll(/:([A-Za-z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (spec.query instanceof z.ZodObject) {
      for (const [name, schema] of Object.entries(spec.query.shape as Record<string, z.ZodType>)) {
        parameters.push({
          name,
          in: 'query',
          required: !schema.safeParse(undefined).success,
          schema: jsonSchema(schema, 'input'),
        });
      }
    }
    const operation: Record<string, unknown> = {
      summary: spec.summary,
      tags: spec.tags,
      ...(spec.grant ? { description: `Needs the \`${spec.grant}\` grant.` } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(spec.successStatus ?? 200)]: {
          description: 'Success',
          ...(spec.response
            ? { content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } }
            : {}),
        },
        default: {
          description: 'An error with a stable code (see docs/errors.md).',
          content: { 'application/json': { schema: jsonSchema(ErrorResponse, 'output') } },
        },
      },
      ...(spec.auth === 'apiKey' ? { security: [{ apiKey: [] }] } : {}),
      ...(spec.auth === 'bearer' ? { security: [{ accessToken: [] }] } : {}),
    };
    paths[path] = { ...(paths[path] ?? {}), [spec.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'basic',
          description: 'API key as user name, API secret as password.',
        },
        accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}
