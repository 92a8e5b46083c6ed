import { z } from 'zod';

const id = z.string().min(1).max(128);

/**
 * What an access token allows. Every grant is explicit: a token carries only the calls,
 * queues and roles it names. `"*"` in `calls` or `queues` means any (mint such tokens
 * only for trusted back-ends).
 */
export const GrantsSchema = z
  .object({
    calls: z.array(id).max(64).optional().describe('Join these calls (call ids); "*" for any call.'),
    queues: z
      .array(id)
      .max(64)
      .optional()
      .describe('Enqueue to these queues (queue ids); "*" for any queue.'),
    agent: id.optional().describe('Log in as this agent id.'),
    supervise: z.boolean().optional().describe('Read live queues, agents and calls; monitor calls.'),
    tester: z.boolean().optional().describe('Run the connectivity tester (and nothing else, if alone).'),
    admin: z.boolean().optional().describe('Administer queues, agents, records and sessions.'),
  })
  .strict();

export type Grants = z.infer<typeof GrantsSchema>;

/** The names of grants, as reported in `SB_ERR_FORBIDDEN` data. */
export type GrantName = 'calls' | 'queues' | 'agent' | 'supervise' | 'tester' | 'admin';

function listAllows(list: readonly string[] | undefined, target: string): boolean {
  return list !== undefined && (list.includes('*') || list.includes(target));
}

export function canJoinCall(grants: Grants, callId: string): boolean {
  return grants.admin === true || listAllows(grants.calls, callId);
}

export function canEnqueue(grants: Grants, queueId: string): boolean {
  return grants.admin === true || listAllows(grants.queues, queueId);
}

export function canLoginAs(grants: Grants, agentId: string): boolean {
  return grants.agent === agentId;
}

export function canSupervise(grants: Grants): boolean {
  return grants.admin === true || grants.supervise === true;
}

export function canTest(grants: Grants): boolean {
  return grants.admin === true || grants.tester === true;
}

export function isAdmin(grants: Grants): boolean {
  return grants.admin === true;
}

/** The claims Switchboard puts in (and requires of) an access token. */
export const AccessClaimsSchema = z.object({
  sub: z
    .string()
    .min(1)
    .max(128)
    .describe('The identity the token speaks for (a user, an agent, a service).'),
  grants: GrantsSchema,
  name: z.string().max(128).optional().describe('A display name.'),
});

export type AccessClaims = z.infer<typeof AccessClaimsSchema>;

/** JWT audience of Switchboard access tokens. */
export const TOKEN_AUDIENCE = 'switchboard';
