import {seededRandom} from '../helpers/random.js'
import {z} from 'zod'

/**
 * Request bodies built from a route's zod contract: the contract is walked (as JSON Schema, which
 * zod produces) to find every field and its limits, and a valid sample body is mutated at each
 * one (wrong types, missing and extra fields, values past each limit, hostile strings, deep
 * nesting), then at random (seeded) combinations of those. The contract itself says which bodies
 * it accepts, so each case knows whether the server must refuse it.
 */

export {seededRandom}

export interface FuzzCase {
  label: string
  /** The body as text (JSON unless `contentType` says otherwise). */
  raw: string | Buffer
  contentType?: string
  /** The contract refuses it, so the answer must be a 4xx problem. */
  mustFail: boolean
}

interface JsonSchema {
  type?: string
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  anyOf?: JsonSchema[]
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  maxItems?: number
  minItems?: number
  pattern?: string
}

type Path = Array<string | number>
interface Field {
  path: Path
  schema: JsonSchema
  required: boolean
}

/** Strings that have broken parsers, logs, headers, shells and file systems before. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  '\u0000',
  'a\u0000b',
  'x\r\nX-Injected: 1',
  'line\nbreak',
  'sep\u2028arator\u2029',
  'next\u0085line',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(50),
  '\u202egnp.exe',
  'ﬁ\u0301\u0308\u0336',
  '../../../../etc/passwd',
  '..\\..\\windows',
  '%2e%2e%2f%00',
  '${jndi:ldap://127.0.0.1/x}',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '\u001b[2J\u001b[31m',
  '__proto__',
  ' ',
  '\t',
  'A'.repeat(4097),
]

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)

/** Values of every JSON type but the given one. */
function wrongTypes(type: string | undefined): unknown[] {
  const all: Record<string, unknown[]> = {
    string: ['x', ''],
    integer: [1, 0],
    number: [1.5],
    boolean: [true, false],
    null: [null],
    array: [[], ['x']],
    object: [{}, {a: 1}],
  }
  return Object.entries(all)
    .filter(([t]) => t !== type && !(type === 'number' && t === 'integer') && !(type === 'integer' && t === 'number'))
    .flatMap(([, v]) => v)
}

function fields(schema: JsonSchema, sample: unknown, path: Path = [], required = true, out: Field[] = []): Field[] {
  out.push({path, schema, required})
  if (schema.anyOf) {
    // The branch the sample takes stands for the field (a workspace file is text or base64).
    const branch = schema.anyOf.find((s) => branchFits(s, sample)) ?? schema.anyOf[0]!
    out.pop()
    return fields(branch, sample, path, required, out)
  }
  if (schema.type === 'object' && schema.properties && sample && typeof sample === 'object') {
    for (const [key, sub] of Object.entries(schema.properties)) {
      const isRequired = schema.required?.includes(key) ?? false
      const value = (sample as Record<string, unknown>)[key]
      if (value === undefined) out.push({path: [...path, key], schema: sub, required: isRequired})
      else fields(sub, value, [...path, key], isRequired, out)
    }
  }
  if (schema.type === 'array' && schema.items && Array.isArray(sample) && sample.length > 0) fields(schema.items, sample[0], [...path, 0], true, out)
  return out
}

function branchFits(schema: JsonSchema, value: unknown): boolean {
  if (schema.type === 'object') {
    return !!value && typeof value === 'object' && (schema.required ?? []).every((k) => k in (value as object))
  }
  return true
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T

function setAt(root: unknown, path: Path, value: unknown, remove = false): unknown {
  if (path.length === 0) return value
  const copy = clone(root) as Record<string | number, unknown>
  let node = copy
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  const last = path.at(-1)!
  if (remove) {
    if (Array.isArray(node)) node.splice(last as number, 1)
    else delete node[last]
  } else node[last] = value
  return copy
}

/** A value that serialises to `raw` text where the marker string stands. */
const MARK = '__fuzz_raw__'
function withRaw(root: unknown, path: Path, rawValue: string): string {
  return JSON.stringify(setAt(root, path, MARK)).replace(JSON.stringify(MARK), rawValue)
}

/** The deterministic mutations of one field. */
function mutationsOf(sample: unknown, f: Field): Array<{label: string; raw: string}> {
  const at = f.path.join('.') || '(body)'
  const out: Array<{label: string; raw: string}> = []
  const put = (label: string, value: unknown) => out.push({label: `${at}: ${label}`, raw: JSON.stringify(setAt(sample, f.path, value))})
  const putRaw = (label: string, raw: string) => out.push({label: `${at}: ${label}`, raw: withRaw(sample, f.path, raw)})

  for (const v of wrongTypes(f.schema.type)) put(`wrong type ${JSON.stringify(v)}`, v)
  if (f.path.length > 0) out.push({label: `${at}: missing`, raw: JSON.stringify(setAt(sample, f.path, undefined, true))})
  putRaw('nested 5000 deep', deepArray(5000))
  putRaw('object nested 5000 deep', deepObject(5000))

  const s = f.schema
  if (s.type === 'string') {
    for (const h of HOSTILE_STRINGS) put(`hostile ${JSON.stringify(h.slice(0, 20))}`, h)
    if (s.maxLength !== undefined) put(`maxLength+1 (${s.maxLength + 1})`, 'a'.repeat(s.maxLength + 1))
    if (s.minLength !== undefined && s.minLength > 0) put(`minLength-1`, 'a'.repeat(s.minLength - 1))
    put('300k characters', 'x'.repeat(300_000))
    put('100k astral characters', '😀'.repeat(100_000))
  }
  if (s.type === 'integer' || s.type === 'number') {
    const probes = [0, -1, 1.5, -0.5, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE]
    if (s.minimum !== undefined) probes.push(s.minimum - 1)
    if (s.exclusiveMinimum !== undefined) probes.push(s.exclusiveMinimum)
    if (s.maximum !== undefined) probes.push(s.maximum + 1)
    for (const n of probes) put(`number ${n}`, n)
    putRaw('1e999999', '1e999999')
    putRaw('-1e999999', '-1e999999')
    putRaw('a 5000-digit number', '9'.repeat(5000))
    putRaw('"1" as a string of digits', '"1"')
  }
  if (s.type === 'object') {
    if (s.additionalProperties === false || s.additionalProperties === undefined) {
      put('extra field', {...(getAt(sample, f.path) as object), zz_extra: 1})
      putRaw('__proto__ field', objectWithRawKey(getAt(sample, f.path), '__proto__', '{"polluted":"yes"}'))
      putRaw('constructor.prototype field', objectWithRawKey(getAt(sample, f.path), 'constructor', '{"prototype":{"polluted":"yes"}}'))
    }
  }
  if (s.type === 'array') {
    put('empty', [])
    const items = getAt(sample, f.path) as unknown[]
    if (s.maxItems !== undefined && items.length > 0) put(`maxItems+1 (${s.maxItems + 1})`, Array.from({length: s.maxItems + 1}, () => items[0]))
    put('a null element', [null])
  }
  return out
}

function getAt(root: unknown, path: Path): unknown {
  let node = root as Record<string | number, unknown>
  for (const key of path) node = node[key] as Record<string | number, unknown>
  return node
}

/** `{...value, "key": raw}` as text: JSON.stringify cannot write a `__proto__` own key. */
function objectWithRawKey(value: unknown, key: string, raw: string): string {
  const text = JSON.stringify(value ?? {})
  const inner = text.slice(1, -1)
  return `{${inner}${inner ? ',' : ''}${JSON.stringify(key)}:${raw}}`
}

/** Bodies that are not the contract's JSON at all: broken, truncated, the wrong type, the wrong encoding. */
export function malformedBodies(sample: unknown, opts: {optionalBody?: boolean} = {}): FuzzCase[] {
  const valid = JSON.stringify(sample)
  // [label, body, content type, may pass]
  const cases: Array<[string, string | Buffer, string?, boolean?]> = [
    ['empty body', ''],
    ['a lone brace', '{'],
    ['truncated', valid.slice(0, Math.max(1, valid.length - 3))],
    ['trailing garbage', valid + 'garbage'],
    ['two documents', valid + valid],
    ['null', 'null', undefined, opts.optionalBody],
    ['an array', '[]'],
    ['an array of the body', `[${valid}]`],
    ['a string', '"x"'],
    ['a number', '123'],
    ['true', 'true'],
    ['NaN', 'NaN'],
    ['single quotes', valid.replace(/"/g, "'")],
    ['a comment', `/* x */${valid}`],
    ['a 1e999999 body', '1e999999'],
    ['arrays 100000 deep', deepArray(100_000)],
    ['objects 20000 deep', deepObject(20_000)],
    ['invalid UTF-8 bytes', Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])],
    ['a NUL byte outside strings', valid.slice(0, 1) + '\u0000' + valid.slice(1)],
    ['UTF-16', Buffer.from(valid, 'utf16le'), 'application/json; charset=utf-16le'],
    ['as text/plain', valid, 'text/plain'],
    ['as a form', 'a=1&b=2', 'application/x-www-form-urlencoded'],
    ['as multipart', '--x\r\n\r\n--x--', 'multipart/form-data; boundary=x'],
    // Fastify reads JSON as UTF-8 whatever the charset says; the body is valid, so it may pass.
    ['json with a bogus charset', valid, 'application/json; charset=ebcdic', true],
    ['a content type with CR/LF', valid, 'application/json\tX-Injected: 1'],
    ['2 MB of JSON', JSON.stringify({pad: 'x'.repeat(2 * 1024 * 1024)})],
  ]
  return cases.map(([label, raw, contentType, mayPass]) => ({label, raw, contentType, mustFail: !mayPass}))
}

/**
 * Cases for one JSON route: every field's deterministic mutations, then `randomCount` seeded
 * random combinations of two or three of them, each marked by whether the contract accepts it.
 */
export function contractCases(schema: z.ZodType, sample: unknown, seed: number, randomCount: number, opts: {optionalBody?: boolean} = {}): FuzzCase[] {
  if (!schema.safeParse(sample).success) throw new Error(`the fuzz sample does not pass its own contract: ${JSON.stringify(sample)}`)
  const json = z.toJSONSchema(schema, {io: 'input', unrepresentable: 'any'}) as JsonSchema
  const all = fields(json, sample)
  const single = all.flatMap((f) => mutationsOf(sample, f))
  const random = seededRandom(seed)
  const combos: Array<{label: string; raw: string}> = []
  for (let i = 0; i < randomCount; i++) {
    let body: unknown = sample
    const labels: string[] = []
    const n = 2 + Math.floor(random() * 2)
    for (let j = 0; j < n; j++) {
      const f = all[Math.floor(random() * all.length)]!
      try {
        // An earlier mutation may have removed or retyped this field's parents: then it is skipped.
        const options = mutationsOf(body, f).filter((m) => m.raw.length < 400_000 && !m.label.includes(' deep'))
        const m = options[Math.floor(random() * options.length)]
        if (!m) continue
        body = JSON.parse(m.raw)
        labels.push(m.label)
      } catch {
        continue
      }
    }
    combos.push({label: `random #${i}: ${labels.join(' + ')}`, raw: JSON.stringify(body)})
  }
  return [...single, ...combos].map((c) => ({...c, mustFail: !accepts(schema, c.raw, opts.optionalBody)}))
}

function accepts(schema: z.ZodType, raw: string, optionalBody = false): boolean {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return false
  }
  return (optionalBody && value === null) || schema.safeParse(value).success
}
