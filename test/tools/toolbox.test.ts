import {randomBytes} from 'node:crypto'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {createToolbox} from '../../src/agent/tools/index.js'
import {TOOL_GROUPS, TOOL_NAMES, type Toolbox} from '../../src/agent/tools/types.js'
import {Vault} from '../../src/agent/vault.js'
import {WorkspaceStore} from '../../src/agent/workspace-store.js'
import {allBytes} from '../runtime/helpers.js'
import {localHttpServer, type LocalHttpServer} from '../helpers/http-server.js'
import {tempDir} from '../helpers/tmp.js'

/**
 * The in-process tools (read, write, edit, web_fetch, memory_*) over a real vault in a temp dir:
 * behaviour, errors, and that they act on the encrypted workspace the prompt and export use.
 * exec is covered by exec.test.ts (it needs the sandbox).
 */

const signal = new AbortController().signal
let dir: ReturnType<typeof tempDir>
let store: WorkspaceStore
let tools: Toolbox
let web: LocalHttpServer

beforeAll(async () => {
  web = await localHttpServer((req, res) => {
    if (req.url === '/page') {
      res.writeHead(200, {'content-type': 'text/html; charset=utf-8'})
      res.end(
        '<!doctype html><html><head><title>A &amp; B</title><style>body{color:red}</style><script>var secret=1</script></head>' +
          '<body><h1>Hello</h1><p>First&nbsp;para with <a href="https://example.org/x">a link</a>.</p><ul><li>one</li><li>two</li></ul></body></html>',
      )
    } else if (req.url === '/json') {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify({a: 'x'.repeat(5000)}))
    } else if (req.url === '/bin') {
      res.writeHead(200, {'content-type': 'image/png'})
      res.end(Buffer.alloc(100))
    } else {
      res.writeHead(404, {'content-type': 'text/plain'})
      res.end('nope')
    }
  })
})
afterAll(() => web.close())

beforeEach(async () => {
  dir?.dispose()
  dir = tempDir('clawd-tools-')
  const vault = await Vault.open(dir.path, randomBytes(32))
  store = new WorkspaceStore(vault)
  tools = createToolbox({store, fetch: (url, init) => fetch(url, init)})
})

const run = (name: (typeof TOOL_NAMES)[number], args: unknown) => tools.run(name, args, signal)

describe('definitions', () => {
  it("offers OpenClaw's tool names and argument names, filtered by the allowed list", () => {
    expect(tools.definitions([...TOOL_NAMES]).map((d) => d.name)).toEqual([...TOOL_NAMES])
    expect(tools.definitions([...TOOL_GROUPS['group:fs']!]).map((d) => d.name)).toEqual(['read', 'write', 'edit'])
    expect(tools.definitions([]).length).toBe(0)
    const props = (name: string) => Object.keys((tools.definitions([...TOOL_NAMES]).find((d) => d.name === name)!.parameters as {properties: object}).properties)
    expect(props('read')).toEqual(['path', 'offset', 'limit'])
    expect(props('write')).toEqual(['path', 'content'])
    expect(props('edit')).toEqual(['path', 'oldText', 'newText'])
    expect(props('exec')).toEqual(['command', 'workdir', 'timeout'])
    expect(props('web_fetch')).toEqual(['url', 'maxChars'])
    expect(props('memory_search')).toEqual(['query', 'maxResults', 'minScore'])
    expect(props('memory_get')).toEqual(['path', 'from', 'lines'])
  })
})

describe('read / write / edit', () => {
  it('writes a workspace file into the encrypted store and reads it back, with offset and limit', async () => {
    const marker = `marker-${randomBytes(8).toString('hex')}`
    const w = await run('write', {path: 'memory/2026-12-02.md', content: `line 1\nline 2 ${marker}\nline 3\n`})
    expect(w).toEqual({ok: true, output: 'Created memory/2026-12-02.md (29 bytes).'.replace('29', String(Buffer.byteLength(`line 1\nline 2 ${marker}\nline 3\n`)))})
    expect(await store.get('memory/2026-12-02.md')).toContain(marker)
    expect((await run('read', {path: 'memory/2026-12-02.md'})).output).toContain(marker)
    expect(await run('read', {path: 'memory/2026-12-02.md', offset: 2, limit: 1})).toEqual({ok: true, output: `line 2 ${marker}\n[2 more lines; continue with offset 3]`})
    // Nothing in clear under the instance directory: the store is the vault.
    expect(allBytes(dir.path).includes(Buffer.from(marker))).toBe(false)
  })

  it('accepts the aliases OpenClaw accepts, and arguments sent as a JSON string', async () => {
    expect((await run('write', JSON.stringify({file_path: 'USER.md', content: 'Ana'}))).ok).toBe(true)
    expect((await run('edit', {file_path: 'USER.md', old_string: 'Ana', new_string: 'Ana B.'})).ok).toBe(true)
    expect(await store.get('USER.md')).toBe('Ana B.')
  })

  it('refuses paths that are not workspace files, traversal, and secrets, and says what is allowed', async () => {
    for (const path of ['../escape.md', '/etc/passwd', 'notes.txt', 'memory/../../x.md', 'soul.md']) {
      const r = await run('write', {path, content: 'x'})
      expect(r.ok, path).toBe(false)
      expect(r.output).toMatch(/^Not written: /)
    }
    expect((await run('write', {path: 'notes.txt', content: 'x'})).output).toMatch(/daily notes memory\/YYYY-MM-DD\.md/)
    const secret = await run('write', {path: 'MEMORY.md', content: `key: sk-ant-api03-${'a'.repeat(90)}`})
    expect(secret.ok).toBe(false)
    expect(secret.output).not.toContain('aaaaaaaaaa')
    expect((await store.files()).map((f) => f.path)).not.toContain('notes.txt')
  })

  it('edit fails clearly when the old text is missing or not unique, and changes nothing', async () => {
    await run('write', {path: 'MEMORY.md', content: 'a b a'})
    expect(await run('edit', {path: 'MEMORY.md', oldText: 'zzz', newText: 'y'})).toEqual({ok: false, output: expect.stringMatching(/oldText was not found in MEMORY\.md/)})
    expect(await run('edit', {path: 'MEMORY.md', oldText: 'a', newText: 'y'})).toEqual({ok: false, output: expect.stringMatching(/appears 2 times/)})
    expect(await store.get('MEMORY.md')).toBe('a b a')
    expect((await run('edit', {path: 'MEMORY.md', oldText: 'a b', newText: 'c'})).ok).toBe(true)
    expect(await store.get('MEMORY.md')).toBe('c a')
  })

  it('reports a missing file with the list of files, and bad arguments with what to send', async () => {
    const r = await run('read', {path: 'NOPE.md'})
    expect(r.ok).toBe(false)
    expect(r.output).toMatch(/not in the workspace\. Its files: AGENTS\.md/)
    expect(await run('read', {})).toEqual({ok: false, output: 'Invalid arguments for read: "path" is required and must be a string.'})
    expect(await run('read', {path: 'AGENTS.md', offset: -1})).toEqual({ok: false, output: 'Invalid arguments for read: "offset" must be between 1 and 9007199254740991.'})
    expect((await run('edit', {path: 'NOPE.md', oldText: 'a', newText: 'b'})).ok).toBe(false)
    expect(await tools.run('nope' as never, {}, signal)).toEqual({ok: false, output: 'There is no tool named "nope".'})
  })

  it('two parallel writes to different files both land', async () => {
    await Promise.all([run('write', {path: 'memory/2026-01-01.md', content: 'one'}), run('write', {path: 'memory/2026-01-02.md', content: 'two'})])
    expect(await store.get('memory/2026-01-01.md')).toBe('one')
    expect(await store.get('memory/2026-01-02.md')).toBe('two')
  })
})

describe('memory_search / memory_get', () => {
  beforeEach(async () => {
    await run('write', {path: 'MEMORY.md', content: '# Memory\n\nAna prefers tea over coffee.\n\nThe project deadline is in March.\n'})
    await run('write', {path: 'memory/2026-11-30.md', content: 'Met Bob about the garden project.\nHe likes tea too.\n'})
    await run('write', {path: 'USER.md', content: 'tea tea tea'})
  })

  it('finds passages in MEMORY.md and memory/*.md only, best first, with path and lines', async () => {
    const r = await run('memory_search', {query: 'tea preferences Ana'})
    expect(r.ok).toBe(true)
    const {results} = JSON.parse(r.output) as {results: Array<{path: string; startLine: number; endLine: number; snippet: string}>}
    expect(results[0]).toMatchObject({path: 'MEMORY.md', startLine: 3, endLine: 3, snippet: 'Ana prefers tea over coffee.'})
    expect(results.map((x) => x.path)).not.toContain('USER.md')
    expect(JSON.parse((await run('memory_search', {query: 'zebra'})).output).results).toEqual([])
    expect(JSON.parse((await run('memory_search', {query: 'tea', maxResults: 1})).output).results).toHaveLength(1)
  })

  it('memory_get returns the requested lines of a memory file and refuses other files', async () => {
    expect(JSON.parse((await run('memory_get', {path: 'MEMORY.md', from: 3, lines: 1})).output)).toEqual({path: 'MEMORY.md', from: 3, lines: 1, text: 'Ana prefers tea over coffee.'})
    expect((await run('memory_get', {path: 'USER.md'})).output).toMatch(/MEMORY\.md and memory\/\*\.md only/)
    expect((await run('memory_get', {path: 'memory/2020-01-01.md'})).output).toMatch(/does not exist\. Memory files: MEMORY\.md, memory\/2026-11-30\.md/)
  })
})

describe('web_fetch', () => {
  it('turns HTML into readable text, without scripts or styles', async () => {
    const r = await run('web_fetch', {url: `${web.url}/page`})
    expect(r.ok).toBe(true)
    expect(r.output).toContain('Title: A & B')
    expect(r.output).toContain('# Hello'.slice(2))
    expect(r.output).toContain('First para with a link (https://example.org/x).')
    expect(r.output).toContain('- one\n- two')
    expect(r.output).not.toMatch(/secret|color:red|<p>/)
  })

  it('bounds the text with maxChars, refuses binary and bad URLs, and reports HTTP errors', async () => {
    const long = await run('web_fetch', {url: `${web.url}/json`, maxChars: 200})
    expect(long.output).toMatch(/\[page cut: \d+ more characters not shown\]/)
    expect((await run('web_fetch', {url: `${web.url}/bin`})).output).toMatch(/not text/)
    expect((await run('web_fetch', {url: 'file:///etc/passwd'})).output).toMatch(/Only http:\/\/ and https:\/\//)
    expect((await run('web_fetch', {url: 'not a url'})).ok).toBe(false)
    expect(await run('web_fetch', {url: `${web.url}/missing`})).toMatchObject({ok: false, output: expect.stringMatching(/Status: 404/)})
  })

  it('says so when the egress fetch refuses or cannot connect', async () => {
    const refusing = createToolbox({
      store,
      fetch: async () => {
        throw new TypeError('fetch failed', {cause: new Error('the egress proxy refused example.com:443: 403 Forbidden')})
      },
    })
    const r = await refusing.run('web_fetch', {url: 'https://example.com/'}, signal)
    expect(r).toEqual({ok: false, output: expect.stringMatching(/refused example\.com:443.*Only hosts the server operator allows/)})
  })
})

describe('exec without a sandbox', () => {
  it('answers that exec is unavailable rather than running anything', async () => {
    expect(await run('exec', {command: 'true'})).toEqual({ok: false, output: expect.stringMatching(/^exec is not available on this instance/)})
  })
})
