import {readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {packageRoot} from '../../src/paths.js'

/**
 * The layers DESIGN §2 draws, kept by reading the imports: the agent stays thin and never loads
 * the server or the CLI; the contract depends on nothing but zod; and no runtime import cycle
 * exists (type-only imports are erased, so they do not count).
 */
type Graph = Map<string, {runtime: string[]; bare: string[]}>

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

function importsOf(file: string): {runtime: string[]; bare: string[]} {
  const text = readFileSync(file, 'utf8')
  const runtime: string[] = []
  const bare: string[] = []
  const statements = /^\s*(import|export)\s+(type\s+)?([^'"]*?)\s*from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm
  for (const m of text.matchAll(statements)) {
    const spec = m[4] ?? m[5] ?? m[6]!
    const typeOnly = Boolean(m[2]) || /^\{\s*(type\s+\w+\s*,?\s*)+\}$/.test(m[3] ?? '')
    if (spec.startsWith('.')) {
      if (!typeOnly) runtime.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
    } else bare.push(spec)
  }
  return {runtime, bare}
}

function graph(): Graph {
  const g: Graph = new Map()
  for (const root of ['src', 'commands']) for (const f of sourceFiles(join(packageRoot, root))) g.set(f, importsOf(f))
  return g
}

const rel = (f: string) => relative(packageRoot, f)

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

  it('has no runtime import cycle', () => {
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const stack: string[] = []
    const visit = (f: string) => {
      state.set(f, 'open')
      stack.push(f)
      for (const t of g.get(f)?.runtime ?? []) {
        if (!g.has(t)) continue
        if (state.get(t) === 'open') cycles.push(stack.slice(stack.indexOf(t)).concat(t).map(rel).join(' → '))
        else if (!state.has(t)) visit(t)
      }
      stack.pop()
      state.set(f, 'done')
    }
    for (const f of g.keys()) if (!state.has(f)) visit(f)
    expect(cycles).toEqual([])
  })
})
