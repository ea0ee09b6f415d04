/**
 * The header carrying the per-instance secret from the gateway to the agent, on every request.
 * In its own module without zod, because the agent imports it at run time and stays lean.
 */
export const INSTANCE_SECRET_HEADER = 'x-clawd-instance-secret'
