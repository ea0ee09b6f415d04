import type {Incident, StatusResponse} from '../../contract/status.js'

/** One incident for people: title, impact and state, then its updates oldest first. */
export function incidentLines(incident: Incident): string[] {
  const state = incident.resolved_at ? `resolved ${incident.resolved_at}` : `${incident.status} since ${incident.created_at}`
  return [
    `${incident.title} [${incident.impact}] — ${state}  (${incident.id})`,
    ...incident.updates.map((u) => `  ${u.at}  ${u.status.padEnd(13)} ${u.message}`),
  ]
}

/** `clawd status` for people: the overall state, each component, then the incident timeline. */
export function statusLines(status: StatusResponse, apiUrl: string): string[] {
  const lines = [`${apiUrl}: ${status.status}`, '']
  const width = Math.max(...status.components.map((c) => c.name.length))
  for (const c of status.components) lines.push(`${c.name.padEnd(width)}  ${c.status.padEnd(11)}  ${c.detail ?? ''}`.trimEnd())
  const open = status.incidents.filter((i) => !i.resolved_at)
  const recent = status.incidents.filter((i) => i.resolved_at)
  const indented = (incidents: Incident[]) => incidents.flatMap((i) => incidentLines(i).map((l) => '  ' + l))
  lines.push('', ...(open.length === 0 ? ['No open incidents.'] : ['Open incidents:', ...indented(open)]))
  if (recent.length > 0) lines.push('', 'Recently resolved:', ...indented(recent))
  return lines
}
