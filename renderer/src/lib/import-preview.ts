// Imports into the open profile (lscpu, /proc/cmdline, libvirt domain XML): the profile JSON after the
// import, the changes it makes as a list of fields (before → after, defaults filled in), and every warning
// and problem (where, value, fix) — computed before anything is applied. Pure: the Import dialog previews
// this, and applying it is one undoable profile edit.
import { importCmdline, importLibvirtDomains, importLscpu } from '@core/formats/index.ts'
import type { FormatResult } from '@core/formats/index.ts'
import { loadProfile } from '@core/index.ts'
import { CPU_FEATURES } from '@core/costs/cpu-presets.ts'
import type { FieldError } from '@core/field-error.ts'
import type { ValidationIssue } from '@core/api/protocol.ts'

export type ImportKind = 'lscpu' | 'cmdline' | 'libvirt'

export const IMPORT_KINDS: readonly { kind: ImportKind; label: string; hint: string; placeholder: string }[] = [
  { kind: 'lscpu', label: 'lscpu (host topology)', hint: 'the output of lscpu -p or lscpu -e', placeholder: '# CPU,Core,Socket,Node,,L1d,L1i,L2,L3\n0,0,0,0,,0,0,0,0\n…' },
  { kind: 'cmdline', label: 'Kernel command line', hint: 'the one line of /proc/cmdline', placeholder: 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 nohz_full=2-15 rcu_nocbs=2-15 kvm.halt_poll_ns=0' },
  { kind: 'libvirt', label: 'libvirt domain XML (one VM or several)', hint: 'the output of virsh dumpxml NAME (several domains, or several files: one VM each)', placeholder: "<domain type='kvm'>\n  <vcpu placement='static'>4</vcpu>\n  <cputune><vcpupin vcpu='0' cpuset='4'/>…</cputune>\n</domain>" },
]

/** A problem with the input or with the profile it would make: where (field and line), the value, what, the fix. */
export interface Problem { where: string; value: string; message: string; fix: string }

/** One field the import changes; `undefined` = absent. Values are shown as JSON text. */
export interface FieldChange { path: string; before: string | undefined; after: string | undefined }

export type ImportPreview =
  | { ok: true; next: unknown; changes: FieldChange[]; warnings: string[]; info: string[] }
  | { ok: false; problems: Problem[]; warnings: string[] }

type Json = Record<string, unknown>

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T))

export function fromFieldError(e: FieldError): Problem {
  return { where: e.field, value: e.value, message: e.message, fix: e.fix }
}

export function fromIssue(i: ValidationIssue): Problem {
  return { where: i.path, value: i.value, message: i.message, fix: i.fix }
}

/** Leaves of a JSON value by dotted path (array items as `[i]`; an empty object or array is a leaf). */
export function flatten(v: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> {
  if (isObj(v) && Object.keys(v).length) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out)
  } else if (Array.isArray(v) && v.length) {
    v.forEach((x, i) => flatten(x, `${prefix}[${i}]`, out))
  } else if (v !== undefined) {
    out.set(prefix, JSON.stringify(v))
  }
  return out
}

/** The fields that differ between two JSON values, in the order of `after` then the removed ones. */
export function fieldDiff(before: unknown, after: unknown): FieldChange[] {
  const a = flatten(before)
  const b = flatten(after)
  const out: FieldChange[] = []
  for (const [path, v] of b) if (a.get(path) !== v) out.push({ path, before: a.get(path), after: v })
  for (const [path, v] of a) if (!b.has(path)) out.push({ path, before: v, after: undefined })
  return out
}

/** Deep merge of plain objects; arrays and scalars of `patch` replace. */
export function mergeJson(base: unknown, patch: unknown): unknown {
  if (!isObj(base) || !isObj(patch)) return clone(patch)
  const out: Json = { ...base }
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = mergeJson(base[k], v)
  return out
}

function objAt(root: Json, key: string): Json {
  const v = root[key]
  const o = isObj(v) ? { ...v } : {}
  root[key] = o
  return o
}

/** The host's logical CPU count in a profile JSON (defaults filled in), for the cpulist checks. */
export function nrCpusOf(json: unknown): number | undefined {
  const r = loadProfile(json)
  if (!r.ok) return undefined
  const t = r.profile.host.topology
  return t.sockets * t.coresPerSocket * t.threadsPerCore
}

/** VM names of a profile JSON, in order. */
export function vmNamesOf(json: unknown): string[] {
  const vms = isObj(json) && Array.isArray(json.vms) ? json.vms : []
  return vms.map((v, i) => (isObj(v) && typeof v.name === 'string' ? v.name : `vm${i}`))
}

function apply<T>(r: FormatResult<T>, json: unknown, patch: (root: Json, v: T, warnings: string[], info: string[]) => Problem[] | void): ImportPreview {
  if (!r.ok) return { ok: false, problems: r.errors.map(fromFieldError), warnings: [] }
  const warnings = [...r.warnings]
  const root: Json = isObj(json) ? { ...clone(json) } : {}
  const info: string[] = []
  const problems = patch(root, r.value, warnings, info)
  if (problems && problems.length) return { ok: false, problems, warnings }
  const before = loadProfile(json)
  const after = loadProfile(root)
  if (!after.ok) return { ok: false, problems: after.issues.map(fromIssue), warnings }
  const changes = before.ok ? fieldDiff(before.profile, after.profile) : fieldDiff(json, root)
  return { ok: true, next: root, changes, warnings, info }
}

/**
 * What an import would do to the profile JSON. `vm` picks the VM a libvirt domain goes into (default: the
 * first). The profile's own host size bounds the cpulists of the command line and the libvirt cpusets.
 */
export function previewImport(json: unknown, kind: ImportKind, text: string, opts: { vm?: string } = {}): ImportPreview {
  if (text.trim() === '') return { ok: false, problems: [{ where: kind, value: '', message: 'nothing to import', fix: 'paste the text or choose a file' }], warnings: [] }
  const nrCpus = nrCpusOf(json)
  const sizeOpts = nrCpus === undefined ? {} : { nrCpus }
  switch (kind) {
    case 'lscpu':
      return apply(importLscpu(text), json, (root, v, warnings, info) => {
        if (v.offline.length) warnings.push(`${v.offline.length} offline CPU(s) left out: ${v.offline.join(',')}`)
        if (!v.host) {
          return [{ where: 'lscpu', value: `${v.rows.length} CPUs`, message: 'the layout is not regular (different cores per socket, threads per core, or numbering), so it is no host.topology the profile can hold', fix: 'take the lscpu output of a host with every CPU online and a symmetric layout' }]
        }
        objAt(root, 'host').topology = clone(v.host.topology)
        info.push(`Read ${v.rows.length} CPUs from ${v.format}.`)
      })
    case 'cmdline': {
      // the host CPU decides which of kvm_intel / kvm_amd parameters apply and whether intel_idle runs
      const loaded = loadProfile(json)
      const vendor = loaded.ok ? CPU_FEATURES[loaded.profile.host.cpu].vendor : undefined
      return apply(importCmdline(text, vendor ? { ...sizeOpts, vendor } : sizeOpts), json, (root, v) => {
        const host = objAt(root, 'host')
        const kernel = objAt(host, 'kernel')
        // /proc/cmdline is the whole truth: what it does not set is not set.
        kernel.cmdline = clone(v.host.kernel.cmdline)
        if (v.host.kvm) host.kvm = mergeJson(host.kvm, v.host.kvm)
        // nosmt: one thread per core (the ignored tokens are listed in full in the import's warnings)
        if (v.host.topology) objAt(host, 'topology').threadsPerCore = v.host.topology.threadsPerCore
      })
    }
    case 'libvirt':
      return apply(importLibvirtDomains(text, sizeOpts), json, (root, domains, warnings, info) => {
        const vms = Array.isArray(root.vms) ? [...root.vms] : []
        const names = vmNamesOf(root)
        const i = opts.vm === undefined ? 0 : names.indexOf(opts.vm)
        if (vms.length === 0 || i < 0) return [{ where: 'vm', value: opts.vm ?? '', message: 'the profile has no such VM', fix: names.length ? `choose one of ${names.join(', ')}` : 'add a VM to the profile first' }]
        if (domains.length === 1) {
          const { name, ...fields } = domains[0]!
          if (name !== undefined && name !== names[i]) warnings.push(`domain "${name}" applied to VM ${names[i]} (the VM keeps its name)`)
          vms[i] = mergeJson(vms[i], fields)
        } else {
          // Several domains: one VM each — the VM of the same name takes it, else a new VM is made from the
          // chosen one (its workload and guest) with the domain's fields.
          for (const d of domains) {
            const at = d.name === undefined ? -1 : vmNamesOf({ vms }).indexOf(d.name)
            if (at >= 0) vms[at] = mergeJson(vms[at], d)
            else vms.push(mergeJson(clone(vms[i]), { ...d, name: d.name ?? `vm${vms.length}` }))
          }
          info.push(`Read ${domains.length} domains: ${domains.map((d) => d.name ?? '?').join(', ')} — one VM each.`)
        }
        root.vms = vms
      })
  }
}
