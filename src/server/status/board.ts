import type {ServerContext} from '../context.js'
import {settleWithin} from '../settle-within.js'
import {openIncidentLines} from './incidents.js'

/** How long the open-incident line is reused; other API processes see a change within this. */
const CACHE_MS = 2000
/** An error answer never waits longer than this for the line. */
const LOOKUP_TIMEOUT_MS = 300

/**
 * What error answers say about open incidents. Errors come in bursts during an incident, so the
 * line is cached briefly, and a store that does not answer (often the very incident) costs at most
 * a short wait: the error goes out without the line rather than late.
 */
export class IncidentBoard {
  private cached: {at: number; line: string | undefined} | undefined

  constructor(private readonly ctx: ServerContext) {}

  /** Called when this process changes an incident, so its own next error already says so. */
  invalidate(): void {
    this.cached = undefined
  }

  async openIncident(): Promise<string | undefined> {
    const now = Date.now()
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.line
    const lookup = this.ctx.db
      .asUser(null, (q) => openIncidentLines(q))
      .then((lines) => (lines.length > 0 ? lines.join('; ') : undefined))
    lookup.then(
      (line) => (this.cached = {at: Date.now(), line}),
      () => (this.cached = {at: Date.now(), line: this.cached?.line}),
    )
    return settleWithin(lookup.catch(() => this.cached?.line), LOOKUP_TIMEOUT_MS, undefined)
  }
}

const boards = new WeakMap<ServerContext, IncidentBoard>()

/** The one board of a server context, shared by the public app (errors) and the admin app (changes). */
export function incidentBoard(ctx: ServerContext): IncidentBoard {
  let board = boards.get(ctx)
  if (!board) boards.set(ctx, (board = new IncidentBoard(ctx)))
  return board
}
