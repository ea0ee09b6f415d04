import {z} from 'zod'
import {TOOL_LIMIT_NAMES, type ToolLimitName} from './core.js'
import {instancePublicKeySchema} from './keys.js'

/**
 * The private wire between the server and an instance's agent process (src/runtime → src/agent).
 * Users never see these shapes: the gateway forwards user-facing routes, and the agent's own
 * answers follow the public contract (problem+json, stream events, the public key).
 *
 * The agent itself does not load zod (it costs ~8 MB per instance); the driver validates the init
 * message with this schema before it writes it, and the agent only checks its basic shape.
 */

const toolLimit = z.number().positive()
/** Every per-call tool bound by name (src/contract/core.ts), each optional; unknown names are still positive numbers. */
const toolLimitsSchema = z
  .object(Object.fromEntries(TOOL_LIMIT_NAMES.map((name) => [name, toolLimit.optional()])) as Record<ToolLimitName, z.ZodOptional<typeof toolLimit>>)
  .catchall(toolLimit)

/**
 * What the server tells the agent about its job. Loose: later features add fields here and an
 * older agent ignores them.
 */
export const agentConfigSchema = z.looseObject({
  /** Provider base URLs, server-wide (a key can override its own). */
  providerBaseUrls: z.record(z.string(), z.string()).default({}),
  memoryLimitMb: z.number().int().positive().optional(),
  /** How long an answer keeps going with no reader, waiting for a resume (default 10 s). */
  streamGraceMs: z.number().nonnegative().optional(),
  /** A pause between the dev provider's deltas, so tests and the demo can watch a stream (0: none). */
  devDeltaDelayMs: z.number().nonnegative().optional(),
  /** The tool loop's bounds per answer (defaults: 16 model calls, 5 minutes, 2 minutes per approval). */
  toolMaxSteps: z.number().int().positive().optional(),
  /** The prompt's per-file and total workspace budgets (OpenClaw's bootstrapMaxChars and bootstrapTotalMaxChars). */
  bootstrapMaxChars: z.number().int().positive().optional(),
  bootstrapTotalMaxChars: z.number().int().positive().optional(),
  toolMaxMs: z.number().int().positive().optional(),
  toolApprovalTimeoutMs: z.number().int().positive().optional(),
  /** The agent's tools (src/agent/tools); absent: the defaults, and exec unavailable. */
  tools: z
    .looseObject({
      /** Per-call bounds (src/agent/tools/limits.ts names them); missing ones keep their default. */
      limits: toolLimitsSchema.optional(),
      /** How exec runs; absent: exec answers that it is unavailable here. */
      sandbox: z
        .object({
          /** bubblewrap, as the agent sees it. */
          bwrapPath: z.string().min(1),
          /** An in-memory directory (tmpfs) where each call's workspace copy is made and removed. */
          workRoot: z.string().min(1),
          /** Share the agent's network namespace and offer an HTTP(S) proxy to the egress proxy (only inside the agent's own sandbox). */
          proxy: z.boolean(),
          /** prlimit, as the agent sees it; without it the limits are set with the shell's ulimit. */
          prlimitPath: z.string().min(1).nullable(),
          /**
           * The server is root: the host's tool launcher starts each call as the instance's tool
           * uid (src/runtime/tool-launcher.ts), over this socket; the agent shares each call's
           * directory with the tool through group `gid`.
           */
          launcher: z.object({socket: z.string().min(1), gid: z.number().int().positive()}).optional(),
        })
        .optional(),
    })
    .optional(),
})
/**
 * The agent's config as the driver writes it and the agent reads it: inferred from the schema, so
 * every field the agent reads is declared above (the agent imports this type only, never zod).
 */
export type AgentConfig = z.input<typeof agentConfigSchema>

/**
 * The one JSON line the driver writes to the agent's stdin, then closes. Secrets travel only this
 * way: never in argv or the environment, which other processes of the same user can read.
 * Paths are as the agent sees them (inside the sandbox they are fixed: /instance, /run/clawd).
 */
export const agentInitSchema = z.object({
  v: z.literal(1),
  instance_id: z.string().min(1),
  /** The instance's 256-bit data key, base64. */
  data_key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  /** What the gateway must present in INSTANCE_SECRET_HEADER. */
  secret: z.string().min(16),
  /** The instance's directory (its vault lives here). */
  dir: z.string().min(1),
  /** Where the agent listens. */
  socket: z.string().min(1),
  /** The egress proxy's socket: the agent's only way to the network. */
  egress_socket: z.string().nullable(),
  /** A pipe that closes when the server dies, so a plain-process agent never outlives it. */
  lifeline_fd: z.number().int().nonnegative().nullable(),
  config: agentConfigSchema,
})
export type AgentInit = z.infer<typeof agentInitSchema>

/** GET /health on the agent socket. */
export const agentHealthSchema = z.object({
  ok: z.literal(true),
  instance_id: z.string(),
  uptime_ms: z.number(),
  rss_bytes: z.number(),
  heap_used_bytes: z.number(),
})
export type AgentHealth = z.infer<typeof agentHealthSchema>

/** GET /pubkey on the agent socket: the public half of the instance's key pair (the API adds `alg`). */
export const agentPublicKeySchema = instancePublicKeySchema.pick({kid: true, public_key: true})
