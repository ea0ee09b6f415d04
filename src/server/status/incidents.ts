import type {Incident, IncidentState} from '../../contract/status.js'
import {newId} from '../../ids.js'
import type {Queryable} from '../store/db.js'
import {iso} from '../iso.js'

interface IncidentRow {
  id: string
  title: string
  impact: Incident['impact']
  status: IncidentState
  created_at: Date | string
  updated_at: Date | string
  resolved_at: Date | string | null
}

interface UpdateRow {
  incident_id: string
  at: Date | string
  status: IncidentState
  message: string
}


/** How long a resolved incident stays on the status page. */
export const RECENT_RESOLVED_MS = 7 * 86_400_000

/** Open incidents, then those resolved since `resolvedSince`; newest first within each, with updates. */
export async function listIncidents(q: Queryable, resolvedSince: Date): Promise<Incident[]> {
  const rows = await q.query<IncidentRow>(
    `SELECT id, title, impact, status, created_at, updated_at, resolved_at FROM incidents
      WHERE resolved_at IS NULL OR resolved_at >= $1
      ORDER BY (resolved_at IS NULL) DESC, created_at DESC, id DESC LIMIT 50`,
    [resolvedSince],
  )
  return withUpdates(q, rows)
}

export async function getIncident(q: Queryable, id: string): Promise<Incident | undefined> {
  const rows = await q.query<IncidentRow>(`SELECT id, title, impact, status, created_at, updated_at, resolved_at FROM incidents WHERE id = $1`, [id])
  return (await withUpdates(q, rows))[0]
}

async function withUpdates(q: Queryable, rows: IncidentRow[]): Promise<Incident[]> {
  if (rows.length === 0) return []
  const updates = await q.query<UpdateRow>(
    `SELECT incident_id, at, status, message FROM incident_updates WHERE incident_id = ANY($1::text[]) ORDER BY id`,
    [rows.map((r) => r.id)],
  )
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    impact: r.impact,
    status: r.status,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    resolved_at: iso(r.resolved_at),
    updates: updates.filter((u) => u.incident_id === r.id).map((u) => ({at: iso(u.at), status: u.status, message: u.message})),
  }))
}

export async function createIncident(
  q: Queryable,
  input: {title: string; impact: Incident['impact']; status: IncidentState; message: string},
): Promise<string> {
  const id = newId('inc')
  await q.query(`INSERT INTO incidents (id, title, impact, status) VALUES ($1, $2, $3, $4)`, [id, input.title, input.impact, input.status])
  await q.query(`INSERT INTO incident_updates (incident_id, status, message) VALUES ($1, $2, $3)`, [id, input.status, input.message])
  return id
}

/**
 * Adds an update and moves the incident to `status`. Resolving sets `resolved_at`; a resolved
 * incident takes no more updates (post a new one instead). False when there is no open incident.
 */
export async function addIncidentUpdate(q: Queryable, id: string, status: IncidentState, message: string): Promise<boolean> {
  const updated = await q.query(
    `UPDATE incidents SET status = $2, updated_at = now(), resolved_at = CASE WHEN $2 = 'resolved' THEN now() END
      WHERE id = $1 AND resolved_at IS NULL RETURNING id`,
    [id, status],
  )
  if (updated.length === 0) return false
  await q.query(`INSERT INTO incident_updates (incident_id, status, message) VALUES ($1, $2, $3)`, [id, status, message])
  return true
}

/** The status of an incident that is open, for keeping it when an update names none. */
export async function openIncidentStatus(q: Queryable, id: string): Promise<IncidentState | undefined> {
  const [row] = await q.query<{status: IncidentState}>(`SELECT status FROM incidents WHERE id = $1 AND resolved_at IS NULL`, [id])
  return row?.status
}

/** Open incidents in one line each, for the `incident` field of error responses. */
export async function openIncidentLines(q: Queryable): Promise<string[]> {
  const rows = await q.query<IncidentRow>(`SELECT id, title, impact, status, created_at FROM incidents WHERE resolved_at IS NULL ORDER BY created_at DESC LIMIT 3`)
  return rows.map((r) => `${r.title} (${r.impact}, ${r.status} since ${iso(r.created_at)})`)
}
