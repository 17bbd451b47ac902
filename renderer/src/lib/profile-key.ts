// Which profile of the workbench something belongs to (runs, drafts, the baseline): a key from where the
// profile came from — `saved:<id>` for the library, `example:<name>`, `file:<name>`, `machine:<name>` and
// `new:<name>` for unsaved ones — never its display name, which two profiles may share. Pure.
import type { WorkbenchSource } from '../../../core/api/protocol.ts'

export type ProfileSource = { kind: 'example'; name: string } | { kind: 'saved'; id: string } | { kind: 'file'; name: string } | { kind: 'machine'; name: string } | { kind: 'new'; name: string }

export function profileKeyOf(s: ProfileSource): string {
  return s.kind === 'saved' ? `saved:${s.id}` : `${s.kind}:${s.name}`
}

/** The source as the workbench service keeps it. */
export function toWorkbenchSource(s: ProfileSource): WorkbenchSource {
  return s.kind === 'saved' ? { kind: 'saved', id: s.id } : { kind: s.kind, name: s.name.slice(0, 128) }
}

/** A kept source back as a ProfileSource; undefined when it is incomplete. */
export function fromWorkbenchSource(s: WorkbenchSource): ProfileSource | undefined {
  if (s.kind === 'saved') return s.id ? { kind: 'saved', id: s.id } : undefined
  return s.name !== undefined ? { kind: s.kind, name: s.name } : undefined
}
