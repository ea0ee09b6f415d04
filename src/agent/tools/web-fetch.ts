import type {AgentFetch} from '../context.js'
import {bound, optionalInt, requiredString, ToolInputError, type ToolArgs} from './args.js'
import {htmlToText} from './html-text.js'
import type {ToolLimits} from './limits.js'
import type {ToolResult} from './types.js'

/**
 * `web_fetch`: one GET through the agent's egress fetch, i.e. the server's egress proxy, which
 * allows only the configured hosts and logs every connection; the instance has no other route
 * out. HTML becomes readable text; other text types are returned as they are; binary is refused.
 */

/** maxOutputChars is maxChars' default and ceiling; no more than webFetchMaxResponseBytes is downloaded. */
export async function webFetchTool(fetch: AgentFetch, args: ToolArgs, limits: ToolLimits, signal: AbortSignal): Promise<ToolResult> {
  const {maxOutputChars, webFetchMaxResponseBytes: maxResponseBytes, webFetchTimeoutMs: timeoutMs} = limits
  const raw = requiredString(args, ['url'])
  const maxChars = optionalInt(args, ['maxChars', 'max_chars'], 100, maxOutputChars) ?? maxOutputChars
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ToolInputError(`${JSON.stringify(raw).slice(0, 200)} is not a URL; give an absolute http:// or https:// URL.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ToolInputError('Only http:// and https:// URLs can be fetched.')
  if (url.username || url.password) throw new ToolInputError('URLs with credentials are not fetched.')
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
  let response: Response
  try {
    response = await fetch(url.href, {
      headers: {accept: 'text/html,application/xhtml+xml,text/plain,application/json;q=0.9,*/*;q=0.5', 'user-agent': 'clawd-agent web_fetch'},
      signal: deadline,
      redirect: 'follow',
    })
  } catch (error) {
    return {ok: false, output: `Could not fetch ${url.href}: ${fetchFailure(error, deadline, timeoutMs)}`}
  }
  const type = (response.headers.get('content-type') ?? '').toLowerCase()
  let body: {text: string; complete: boolean}
  try {
    body = await readBounded(response, maxResponseBytes)
  } catch (error) {
    return {ok: false, output: `Could not read ${url.href}: ${fetchFailure(error, deadline, timeoutMs)}`}
  }
  if (type && !/^(text\/|application\/(json|xml|xhtml\+xml|javascript|ld\+json|rss\+xml|atom\+xml))/.test(type)) {
    return {ok: false, output: `${url.href} answered ${response.status} with ${type}, which is not text; web_fetch returns text only.`}
  }
  const isHtml = type.includes('html') || (!type && /^\s*(<!doctype html|<html)/i.test(body.text))
  const page = isHtml ? htmlToText(body.text) : {text: body.text}
  const header = [
    `URL: ${url.href}`,
    `Status: ${response.status}`,
    ...(type ? [`Content-Type: ${type}`] : []),
    ...(page.title ? [`Title: ${page.title}`] : []),
    ...(body.complete ? [] : [`(only the first ${maxResponseBytes} bytes were downloaded)`]),
  ].join('\n')
  return {ok: response.ok, output: `${header}\n\n${bound(page.text, maxChars, 'page')}`}
}

async function readBounded(response: Response, maxBytes: number): Promise<{text: string; complete: boolean}> {
  if (!response.body) return {text: '', complete: true}
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let complete = true
  for (;;) {
    const {done, value} = await reader.read()
    if (done) break
    chunks.push(value)
    size += value.byteLength
    if (size >= maxBytes) {
      complete = false
      await reader.cancel().catch(() => {})
      break
    }
  }
  const all = Buffer.concat(chunks).subarray(0, maxBytes)
  return {text: new TextDecoder('utf-8', {fatal: false}).decode(all), complete}
}

function fetchFailure(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) {
    const reason = signal.reason as Error | undefined
    return reason?.name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)} s.` : 'the call was cancelled.'
  }
  const cause = (error as {cause?: {message?: string}})?.cause?.message ?? (error as Error)?.message ?? String(error)
  if (/refused/i.test(cause) && /egress/i.test(cause)) return `${cause}. Only hosts the server operator allows can be reached.`
  return cause
}
