/**
 * The header carrying the per-instance secret from the gateway to the agent, on every request.
 * In its own module without zod, because the agent imports it at run time and stays lean.
 */
export const INSTANCE_SECRET_HEADER = 'x-clawd-instance-secret'

/**
 * The tools the agent may offer the model for one message, set by the gateway from the user's
 * plan and the instance's tool policy: tool names joined by commas. Absent or empty means none
 * (chat only). The agent trusts it because only the gateway holds the instance secret.
 */
export const ALLOWED_TOOLS_HEADER = 'x-clawd-allowed-tools'
