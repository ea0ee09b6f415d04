import {describe, expect, it} from 'vitest'
import {isWorkspaceBody, WORKSPACE_LIMITS} from '../../src/contract/workspace-limits.js'
import {workspaceSchema} from '../../src/contract/workspace.js'

/**
 * The agent checks a workspace push with the zod-free isWorkspaceBody, the server with zod's
 * workspaceSchema: both must give the same verdict, also on bodies built to slip through one.
 */
describe('the zod-free workspace body check agrees with workspaceSchema', () => {
  const file = {path: 'SOUL.md', content: 'hi'}
  const cases: Array<[string, unknown]> = [
    ['a plain body', {files: [file]}],
    ['no files', {files: []}],
    ['null', null],
    ['an array', [file]],
    ['a string', 'files'],
    ['files not an array', {files: {0: file}}],
    ['an extra top-level key', {files: [file], extra: 1}],
    ['an own __proto__ key', JSON.parse('{"files": [], "__proto__": {"x": 1}}')],
    ['an extra key on a file', {files: [{...file, mode: 0o777}]}],
    ['a file that is null', {files: [null]}],
    ['a file that is an array', {files: [['SOUL.md', 'hi']]}],
    ['an empty path', {files: [{path: '', content: 'x'}]}],
    ['a path of 1024 characters', {files: [{path: 'a'.repeat(1024), content: 'x'}]}],
    ['a path of 1025 characters', {files: [{path: 'a'.repeat(1025), content: 'x'}]}],
    ['a path that is a number', {files: [{path: 1, content: 'x'}]}],
    ['content missing', {files: [{path: 'SOUL.md'}]}],
    ['content not a string', {files: [{path: 'SOUL.md', content: ['x']}]}],
    ['the most files', {files: Array.from({length: WORKSPACE_LIMITS.maxFiles}, () => file)}],
    ['one file too many', {files: Array.from({length: WORKSPACE_LIMITS.maxFiles + 1}, () => file)}],
  ]
  it.each(cases)('%s', (_name, body) => {
    expect(isWorkspaceBody(body)).toBe(workspaceSchema.safeParse(body).success)
  })
  it('accepts and refuses (the cases are not all one verdict)', () => {
    const verdicts = new Set(cases.map(([, body]) => isWorkspaceBody(body)))
    expect(verdicts).toEqual(new Set([true, false]))
  })
})
