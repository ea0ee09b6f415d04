import {createHash} from 'node:crypto'
import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import type {AccountExport} from '../../src/contract/account.js'
import {layoutAccountExport} from '../../src/cli/account/export-all.js'
import {exportTarget, planWorkspaceExport, writeFileAtomic} from '../../src/cli/workspace/export.js'
import {CliError} from '../../src/cli/kit/errors.js'
import {tarBuffer} from '../../src/workspace/tar.js'
import {thrownBy} from '../helpers/thrown.js'
import {tempDir} from '../helpers/tmp.js'
import {keyLikeString} from './setup.js'

describe('clawd export: planning', () => {
  it('refuses a workspace with a key-like string, naming every file and line, never the key', () => {
    const key = keyLikeString()
    const files = [
      {path: 'AGENTS.md', content: '# fine\n'},
      {path: 'MEMORY.md', content: `# Memory\n- one\n- the key: ${key}\n`},
      {path: 'memory/2026-07-01.md', content: `line\n\n\n${key}\n`},
    ]
    const failure = thrownBy(() => planWorkspaceExport(files), CliError)
    expect(failure.exitCode).toBe(2)
    expect(failure.message).toContain('MEMORY.md line 3: this looks like an Anthropic API key (sk-ant-****)')
    expect(failure.message).toContain('memory/2026-07-01.md line 4')
    expect(failure.message + failure.hint).not.toContain(key.slice(7))
  })

  it('writes TOOLS.md as the user had it, with or without --legacy, and never makes up HEARTBEAT.md', () => {
    const files = [
      {path: 'SOUL.md', content: '# s\n'},
      {path: 'TOOLS.md', content: '# t\n'},
    ]
    for (const legacy of [false, true]) {
      const plan = planWorkspaceExport(files)
      expect(plan.files).toEqual(files)
      expect(plan.skipped).toEqual([])
    }
  })

  it('picks where to write from --out and --format', () => {
    expect(exportTarget('alpha', {})).toEqual({out: 'alpha-workspace', format: 'dir'})
    expect(exportTarget('alpha', {format: 'tar'})).toEqual({out: 'alpha-workspace.tar', format: 'tar'})
    expect(exportTarget('alpha', {out: 'x.tar'})).toEqual({out: 'x.tar', format: 'tar'})
    expect(exportTarget('alpha', {out: '-'})).toEqual({out: '-', format: 'tar'})
    expect(() => exportTarget('alpha', {out: '-', format: 'dir'})).toThrow(CliError)
  })
})

describe('writeFileAtomic', () => {
  const dirs: Array<{dispose(): void; path: string}> = []
  afterEach(() => dirs.splice(0).forEach((d) => d.dispose()))

  it('writes, refuses to replace without force, replaces with it, and leaves no temp file', async () => {
    const dir = tempDir('clawd-atomic-')
    dirs.push(dir)
    const path = join(dir.path, 'out.tar')
    await writeFileAtomic(path, Buffer.from('one'), false)
    await expect(writeFileAtomic(path, Buffer.from('two'), false)).rejects.toMatchObject({exitCode: 5})
    expect(readFileSync(path, 'utf8')).toBe('one')
    await writeFileAtomic(path, Buffer.from('two'), true)
    expect(readFileSync(path, 'utf8')).toBe('two')
    writeFileSync(join(dir.path, 'keep'), 'x')
    await expect(writeFileAtomic(dir.path, Buffer.from('x'), true)).rejects.toMatchObject({exitCode: 2})
    expect(readdirSync(dir.path).sort()).toEqual(['keep', 'out.tar'])
  })
})

function sampleExport(): AccountExport {
  const instance = {
    id: 'ins_aaaaaaaaaaaaaaaaaaaa',
    name: 'beta',
    state: 'running' as const,
    failure_reason: null,
    model: 'dev/echo',
    created_at: '2026-07-01T00:00:00.000Z',
    last_active_at: '2026-07-01T00:00:00.000Z',
    pauses_at: null,
    removes_at: '2026-07-31T00:00:00.000Z',
    isolation: null,
  }
  return {
    version: 1,
    account: {id: 'usr_1', email: 'a@example.com', plan: 'free', created_at: '2026-07-01T00:00:00.000Z'},
    tokens: [
      {id: 'tok_1', kind: 'pat', name: 'ci', client_id: null, family_id: null, created_at: '2026-07-01T00:00:00.000Z', expires_at: null, revoked_at: null, used_at: null, last_used_at: null},
    ],
    web_sessions: [],
    device_logins: [],
    access_log: [
      {id: '1', at: '2026-07-01T00:00:00.000Z', kind: 'lifecycle', instance_id: instance.id, event: 'instance.created', token_id: null, client: null, ip: null, method: null, route: null, status: null, duration_ms: null, detail: {name: 'beta'}},
    ],
    daily_usage: [{day: '2026-07-01', messages: 1}],
    instances: [
      {
        instance,
        keys: [],
        channels: [],
        workspace: [
          {path: 'SOUL.md', content: '# Soul ✓\n'},
          {path: 'memory/2026-07-01.md', content: '# note\n'},
        ],
        sessions: [
          {
            id: 'ses_aaaaaaaaaaaaaaaaaaaa',
            title: 't',
            model: 'dev/echo',
            created_at: '2026-07-01T00:00:00.000Z',
            updated_at: '2026-07-01T00:00:00.000Z',
            message_count: 2,
            usage: {input_tokens: 1, output_tokens: 2},
            messages: [
              {id: 'msg_1', role: 'user', content: 'hi\nthere', created_at: '2026-07-01T00:00:00.000Z'},
              {id: 'msg_2', role: 'assistant', content: 'hello', created_at: '2026-07-01T00:00:01.000Z'},
            ],
          },
        ],
        unavailable: null,
      },
      {instance: {...instance, id: 'ins_bbbbbbbbbbbbbbbbbbbb', name: 'alpha', state: 'failed' as const}, keys: [], channels: [], workspace: null, sessions: null, unavailable: 'it would not start'},
    ],
  }
}

describe('clawd export --all: layout', () => {
  it('is deterministic: the same data gives the same archive bytes, whatever the input order', () => {
    const a = sampleExport()
    const b = sampleExport()
    b.instances.reverse()
    const first = tarBuffer(layoutAccountExport(a).files)
    expect(tarBuffer(layoutAccountExport(b).files).equals(first)).toBe(true)
  })

  it('has a versioned manifest that lists every other file with its size and hash', () => {
    const {files, manifest} = layoutAccountExport(sampleExport())
    expect(files[0]!.path).toBe('manifest.json')
    expect(JSON.parse(Buffer.from(files[0]!.data).toString('utf8'))).toEqual(manifest)
    expect(manifest).toMatchObject({format: 'clawd-account-export', version: 1, source_version: 1})
    const others = files.slice(1)
    expect(manifest.files.map((f) => f.path).sort()).toEqual(others.map((f) => f.path).sort())
    for (const f of others) {
      const listed = manifest.files.find((m) => m.path === f.path)!
      expect(listed.bytes).toBe(f.data.length)
      expect(listed.sha256).toBe(createHash('sha256').update(f.data).digest('hex'))
    }
    expect(manifest.instances).toEqual([
      {id: 'ins_bbbbbbbbbbbbbbbbbbbb', name: 'alpha', dir: 'instances/alpha', keys: 0, workspace_files: null, sessions: null, messages: null, unavailable: 'it would not start'},
      {id: 'ins_aaaaaaaaaaaaaaaaaaaa', name: 'beta', dir: 'instances/beta', keys: 0, workspace_files: 2, sessions: 1, messages: 2, unavailable: null},
    ])
    const transcript = others.find((f) => f.path === 'instances/beta/sessions/ses_aaaaaaaaaaaaaaaaaaaa.jsonl')!
    const lines = Buffer.from(transcript.data).toString('utf8').trimEnd().split('\n')
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(['msg_1', 'msg_2'])
    expect(others.find((f) => f.path === 'instances/beta/workspace/SOUL.md')).toBeDefined()
  })

  it('refuses an archive that would carry a secret, naming the instance, file and line', () => {
    const doc = sampleExport()
    doc.instances[0]!.workspace!.push({path: 'USER.md', content: `# me\n${keyLikeString()}\n`})
    expect(() => layoutAccountExport(doc)).toThrow(/instance beta[\s\S]*USER\.md line 2/)
  })
})
