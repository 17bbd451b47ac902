// The profile library's pure parts: filtering by text and tag, the tags in use, tags typed as text, and
// what a store repair report says in a sentence.
import type { ProfileStoreReport, ProfileSummary } from '@core/api/protocol.ts'

/** Profiles whose name, description or tags contain `text` (case-insensitive), with `tag` when given; newest first. */
export function filterProfiles<T extends ProfileSummary>(list: readonly T[], text: string, tag: string): T[] {
  const q = text.trim().toLowerCase()
  return list
    .filter((p) => (tag ? p.tags.includes(tag) : true))
    .filter((p) => !q || p.name.toLowerCase().includes(q) || p.description.toLowerCase().includes(q) || p.tags.some((t) => t.toLowerCase().includes(q)))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
}

/** Every tag in use, sorted. */
export function allTags(list: readonly ProfileSummary[]): string[] {
  return [...new Set(list.flatMap((p) => p.tags))].sort((a, b) => a.localeCompare(b))
}

/** "a, b  c" → ["a", "b", "c"] (commas or spaces; duplicates dropped; at most 64 of 64 characters). */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[,\s]+/).map((t) => t.trim()).filter(Boolean))].map((t) => t.slice(0, 64)).slice(0, 64)
}

/** A short time for the list: "2025-01-31 14:05". */
export function shortTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** A store repair told in one sentence: what was kept aside and where, what was recovered, what was lost. */
export function describeStoreReport(r: ProfileStoreReport): string {
  const parts = [`The profile store ${r.file} was damaged (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}).`]
  if (r.keptAside) parts.push(`The original file was kept aside as ${r.keptAside}, not cleared.`)
  if (r.backup) parts.push(`A backup is at ${r.backup}.`)
  parts.push(`${r.recovered} profile${r.recovered === 1 ? ' was' : 's were'} recovered.`)
  if (r.migrated.length) parts.push(`Migrated: ${r.migrated.join('; ')}.`)
  if (r.lost.length) parts.push(`Not recoverable: ${r.lost.join(', ')}.`)
  return parts.join(' ')
}

const slug = (s: string): string => s.replace(/[^A-Za-z0-9_.+-]+/g, '-').replace(/^-+|-+$/g, '') || 'profile'

/** The PDF's file name: profile, run id and date, e.g. "kvmbench-posted-timer-run-3f2a-2025-01-31.pdf". */
export function pdfFileName(profileName: string, runId: string, date: Date, pageSize: 'A4' | 'Letter'): string {
  const d = date.toISOString().slice(0, 10)
  return `kvmbench-${slug(profileName)}-${slug(runId)}-${d}${pageSize === 'Letter' ? '-letter' : ''}.pdf`
}

/** Base64 → bytes (for the PDF download). */
export function base64Bytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}
