import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {packageRoot} from '../../src/paths.js'

/**
 * The layers DESIGN §2 draws, kept by reading the imports: the agent stays thin and never loads
 * the server or the CLI; the contract depends on nothing but zod; and no import cycle exists.
 * The CLI reaches the server through one door, src/server/index.ts, which stays light (it loads
 * neither Fastify nor pg: the heavy parts load when called). Type-only imports count everywhere
 * but in what loads at run time: they couple the code all the same.
 */
interface Imports {
  /** Relative imports that load at run time (static or dynamic), as resolved .ts paths. */
  runtime: string[]
  /** The static subset of `runtime`: what loading the file loads at once. */
  eager: string[]
  /** Every relative import, type-only ones included. */
  all: string[]
  /** Package imports (type-only ones included). */
  bare: string[]
  /** Package imports that loading the file loads at once (static, not type-only). */
  eagerBare: string[]
  /** Package imports that load at run time (static or dynamic, not type-only). */
  runtimeBare: string[]
}
type Graph = Map<string, Imports>

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

function importsOf(file: string): Imports {
  const text = readFileSync(file, 'utf8')
  const imports: Imports = {runtime: [], eager: [], all: [], bare: [], eagerBare: [], runtimeBare: []}
  const statements = /^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm
  for (const m of text.matchAll(statements)) {
    const spec = m[4] ?? m[5] ?? m[6]!
    const typeOnly = Boolean(m[2]) || /^\{\s*(type\s+\w+\s*,?\s*)+\}$/.test(m[3] ?? '')
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'))
      imports.all.push(target)
      if (!typeOnly) imports.runtime.push(target)
      if (!typeOnly && m[5] === undefined) imports.eager.push(target)
    } else {
      imports.bare.push(spec)
      if (!typeOnly) imports.runtimeBare.push(spec)
      if (!typeOnly && m[5] === undefined) imports.eagerBare.push(spec)
    }
  }
  return imports
}

function graph(): Graph {
  const g: Graph = new Map()
  for (const root of ['src', 'commands']) for (const f of sourceFiles(join(packageRoot, root))) g.set(f, importsOf(f))
  return g
}

const rel = (f: string) => relative(packageRoot, f)
const under = (dir: string) => (f: string) => rel(f).startsWith(dir)
const SERVER_DOOR = 'src/server/index.ts'

describe('architecture', () => {
  const g = graph()

  it('src/agent never imports src/server or src/cli', () => {
    const bad = [...g].filter(([f]) => rel(f).startsWith('src/agent/')).flatMap(([f, i]) => i.runtime.filter((t) => /^src\/(server|cli)\//.test(rel(t))).map((t) => `${rel(f)} → ${rel(t)}`))
    expect(bad).toEqual([])
  })

  it('src/contract imports only zod, node built-ins and its own files', () => {
    const bad = [...g]
      .filter(([f]) => rel(f).startsWith('src/contract/'))
      .flatMap(([f, i]) => [...i.runtime.filter((t) => !rel(t).startsWith('src/contract/')).map(rel), ...i.bare.filter((b) => b !== 'zod' && !b.startsWith('node:'))].map((t) => `${rel(f)} → ${t}`))
    expect(bad).toEqual([])
  })

  it('the agent never loads zod: no module it can load at run time, from main.ts on, imports it', () => {
    const entry = join(packageRoot, 'src/agent/main.ts')
    const loaded = new Set<string>()
    const walk = (f: string) => {
      if (loaded.has(f)) return
      loaded.add(f)
      for (const t of g.get(f)?.runtime ?? []) walk(t)
    }
    walk(entry)
    expect(g.has(entry)).toBe(true)
    // The walk reaches the contract's zod-free core, so it is the one the agent builds on.
    expect(loaded.has(join(packageRoot, 'src/contract/core.ts'))).toBe(true)
    const zod = [...loaded].flatMap((f) => g.get(f)?.runtimeBare.filter((b) => b === 'zod' || b.startsWith('zod/')).map((b) => `${rel(f)} → ${b}`) ?? [])
    expect(zod).toEqual([])
  })

  it('has no import cycle, type-only imports included (they couple the code all the same)', () => {
    // madge --circular would say the same, but its TypeScript parser needs TypeScript 5's JS API,
    // which TypeScript 7 no longer ships. Tarjan's strongly connected components: each component
    // of two or more files (or a file importing itself) is a cycle.
    const index = new Map<string, number>()
    const low = new Map<string, number>()
    const stack: string[] = []
    const cycles: string[] = []
    const visit = (f: string) => {
      index.set(f, index.size)
      low.set(f, index.get(f)!)
      stack.push(f)
      for (const t of g.get(f)?.all ?? []) {
        if (!g.has(t)) continue
        if (!index.has(t)) visit(t)
        if (stack.includes(t)) low.set(f, Math.min(low.get(f)!, low.get(t)!))
      }
      if (low.get(f) !== index.get(f)) return
      const component = stack.splice(stack.indexOf(f))
      if (component.length > 1 || g.get(f)!.all.includes(f)) cycles.push(component.map(rel).sort().join(' ⇄ '))
    }
    for (const f of g.keys()) if (!index.has(f)) visit(f)
    expect(cycles).toEqual([])
  })

  it('commands/ and src/cli reach src/server only through its index', () => {
    const bad = [...g]
      .filter(([f]) => under('commands/')(f) || under('src/cli/')(f))
      .flatMap(([f, i]) => i.all.filter((t) => under('src/server/')(t) && rel(t) !== SERVER_DOOR).map((t) => `${rel(f)} → ${rel(t)}`))
    expect(bad).toEqual([])
  })

  it('the server’s door loads neither Fastify nor pg nor pino until a heavy part is called', () => {
    const loaded = new Set<string>()
    const walk = (f: string) => {
      if (loaded.has(f)) return
      loaded.add(f)
      for (const t of g.get(f)?.eager ?? []) walk(t)
    }
    walk(join(packageRoot, SERVER_DOOR))
    expect(g.has(join(packageRoot, SERVER_DOOR))).toBe(true)
    const heavy = [...loaded].flatMap((f) => g.get(f)?.eagerBare.filter((b) => /^(fastify|@fastify\/|pg$|pino)/.test(b)).map((b) => `${rel(f)} → ${b}`) ?? [])
    expect(heavy).toEqual([])
  })

  it('src/runtime imports nothing from src/server or src/cli', () => {
    const bad = [...g].filter(([f]) => under('src/runtime/')(f)).flatMap(([f, i]) => i.all.filter((t) => /^src\/(server|cli)\//.test(rel(t))).map((t) => `${rel(f)} → ${rel(t)}`))
    expect(bad).toEqual([])
  })

  it('only commands/ and src/cli import src/cli: the server, runtime, agent and shared code never depend on the CLI', () => {
    const bad = [...g]
      .filter(([f]) => !under('src/cli/')(f) && !under('commands/')(f))
      .flatMap(([f, i]) => i.all.filter((t) => rel(t).startsWith('src/cli/')).map((t) => `${rel(f)} → ${rel(t)}`))
    expect(bad).toEqual([])
  })

  it('only src/contract writes an API path: everything else builds paths from its route table', () => {
    const apiPath = /['"`](\/(?:v1|oauth|\.well-known|admin)\/[\w:{$][^'"`]*|\/(?:healthz|openapi\.json)(?=['"`]))/g
    // Other services' APIs, not ours: the agent speaks Anthropic's.
    const theirs = new Set(['src/agent/providers/anthropic.ts /v1/messages'])
    const bad = [...g.keys()]
      .filter((f) => !under('src/contract/')(f))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
          .flatMap((line) => [...line.matchAll(apiPath)].map((m) => `${rel(f)} ${m[1]}`)),
      )
      .filter((hit) => !theirs.has(hit))
    expect(bad).toEqual([])
  })

  it('no file in src/server imports @oclif/core', () => {
    const bad = [...g].filter(([f]) => under('src/server/')(f)).flatMap(([f, i]) => i.bare.filter((b) => b.startsWith('@oclif/')).map((b) => `${rel(f)} → ${b}`))
    expect(bad).toEqual([])
  })
})
