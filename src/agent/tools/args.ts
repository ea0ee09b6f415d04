/**
 * Reading a model's tool arguments without zod (the agent stays lean). Each reader throws a
 * ToolInputError whose message tells the model what to send instead; the toolbox turns it into
 * `{ok: false}`.
 */
export class ToolInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ToolInputError'
  }
}

export type ToolArgs = Record<string, unknown>

export function asArgs(args: unknown): ToolArgs {
  if (typeof args === 'string') {
    // Some models send the arguments as a JSON string; accept it rather than fail the turn.
    try {
      args = JSON.parse(args)
    } catch {
      throw new ToolInputError('The arguments are not a JSON object.')
    }
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new ToolInputError('The arguments must be a JSON object.')
  return args as ToolArgs
}

/** The first of `names` that is present (OpenClaw accepts aliases such as file_path for path). */
function pick(args: ToolArgs, names: readonly string[]): unknown {
  for (const name of names) if (args[name] !== undefined && args[name] !== null) return args[name]
  return undefined
}

export function requiredString(args: ToolArgs, names: readonly string[], opts: {allowEmpty?: boolean} = {}): string {
  const value = pick(args, names)
  if (typeof value !== 'string') throw new ToolInputError(`"${names[0]}" is required and must be a string.`)
  if (!opts.allowEmpty && value.length === 0) throw new ToolInputError(`"${names[0]}" must not be empty.`)
  return value
}

export function optionalString(args: ToolArgs, names: readonly string[]): string | undefined {
  const value = pick(args, names)
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new ToolInputError(`"${names[0]}" must be a string.`)
  return value
}

/** A number within [min, max]; numeric strings are accepted ("20"), fractions are floored. */
export function optionalInt(args: ToolArgs, names: readonly string[], min: number, max: number): number | undefined {
  const raw = pick(args, names)
  if (raw === undefined) return undefined
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ToolInputError(`"${names[0]}" must be a number.`)
  const n = Math.floor(value)
  if (n < min || n > max) throw new ToolInputError(`"${names[0]}" must be between ${min} and ${max}.`)
  return n
}

/** Cuts text to `max` characters, saying how much was left out, so the model knows it saw a part. */
export function bound(text: string, max: number, what = 'output'): string {
  if (text.length <= max) return text
  return `${text.slice(0, max)}\n[${what} cut: ${text.length - max} more characters not shown]`
}
