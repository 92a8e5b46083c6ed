/**
 * Zod schemas for ACD configuration inputs: one schema gives the type, the defaults and the
 * runtime check. The REST layer validates with them and generates OpenAPI from them.
 */
import { z } from 'zod';

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - only');

/** Skill levels run from 1 (novice) to 5 (expert). */
export const SkillLevelSchema = z.number().int().min(1).max(5);

export const SkillRequirementSchema = z.object({
  skill: id,
  minLevel: SkillLevelSchema.default(1),
});

export const RoutingStrategySchema = z
  .enum(['longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'ring-all', 'skills'])
  .describe(
    'longest-idle: the agent free the longest; round-robin: the agent least recently offered from this queue; fewest-calls / least-talk-time: fewest answered calls / least talk time since login; ring-all: every eligible agent, first accept wins; skills: highest total level in the required skills.',
  );
export type RoutingStrategy = z.infer<typeof RoutingStrategySchema>;

/** After `afterSeconds` in the queue, the contact's skill requirement becomes `requiredSkills`. */
export const EscalationStepSchema = z.object({
  afterSeconds: z.number().int().min(1),
  requiredSkills: z.array(SkillRequirementSchema).default([]),
});

export const QueueConfigSchema = z
  .object({
    id,
    name: z.string().max(200).optional(),
    /** Closed queues take no new contacts; existing ones continue. */
    open: z.boolean().default(true),
    strategy: RoutingStrategySchema.default('longest-idle'),
    requiredSkills: z.array(SkillRequirementSchema).default([]),
    escalation: z.array(EscalationStepSchema).default([]),
    /** Service-level threshold T. */
    serviceLevelSeconds: z.number().int().min(1).default(20),
    /** After this long waiting the contact overflows (or is abandoned with reason max-wait); 0 = never. */
    maxWaitSeconds: z.number().int().min(0).default(0),
    /** Waiting + offered contacts; 0 = unlimited. */
    maxLength: z.number().int().min(0).default(0),
    overflowTarget: id.nullable().default(null),
    offerTimeoutSeconds: z.number().int().min(1).max(600).default(15),
    wrapUpSeconds: z.number().int().min(0).max(3600).default(30),
    /**
     * Hold audio played to a waiting user who joined the contact's call: `default` (the clip
     * shipped with the server), an Ogg/Opus file path (relative to the data directory), or
     * null for silence.
     */
    holdAudio: z.string().min(1).max(500).nullable().default('default'),
    /** When true, agents whose latest network verdict failed get no new offers from this queue. */
    requireNetworkOk: z.boolean().default(true),
  })
  .refine((q) => q.overflowTarget !== q.id, {
    message: 'a queue cannot overflow to itself',
    path: ['overflowTarget'],
  });
export type QueueConfig = z.infer<typeof QueueConfigSchema>;
export type QueueConfigInput = z.input<typeof QueueConfigSchema>;

export const AgentConfigSchema = z.object({
  id,
  name: z.string().max(200).optional(),
  /** Queues the agent serves. */
  queues: z.array(id).default([]),
  /** Skill name → level 1–5. */
  skills: z.record(id, SkillLevelSchema).default({}),
  /** Concurrent contacts per channel. */
  capacity: z
    .object({
      audio: z.number().int().min(0).max(20).default(1),
      video: z.number().int().min(0).max(20).default(1),
    })
    .prefault({}),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;

export const ChannelSchema = z.enum(['audio', 'video']);

export const EnqueueRequestSchema = z.object({
  queueId: id,
  userId: id,
  sessionId: z.string().min(1).max(200),
  channel: ChannelSchema.default('audio'),
  priority: z.number().int().min(-100).max(100).default(0),
  data: z.record(z.string(), z.unknown()).default({}),
});

export const ChosenStatusSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('Ready') }),
  z.object({ kind: z.literal('NotReady'), reason: z.string().min(1).max(100) }),
]);
