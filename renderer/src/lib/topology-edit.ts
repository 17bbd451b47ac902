// Topology edits as pure functions over the profile JSON as written (sparse: defaults stay implicit):
// painting roles into the kernel command line, pinning threads, CPU selection and undo history.
import { formatCpuList, parseCpuList } from '../../../core/topology/cpulist.ts'

type Json = Record<string, unknown>

export type CmdlineKey = 'nohzFull' | 'isolcpus' | 'rcuNocbs' | 'irqaffinity'
export type PaintRole = 'housekeeping' | 'nohz_full' | 'isolcpus' | 'rcu_nocbs' | 'irqaffinity'
export type PinTarget = { vm: number; thread: 'vcpu'; vcpu: number } | { vm: number; thread: 'emulator' | 'iothread' }

function clone<T>(v: T): T {
  return structuredClone(v)
}

function obj(parent: Json, key: string): Json {
  const v = parent[key]
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Json
  const o: Json = {}
  parent[key] = o
  return o
}

/** The flag prefix of an isolcpus= value ("managed_irq,domain,") and its CPU list. */
export function splitIsolcpus(text: string): { flags: string; list: string } {
  const m = /^((?:[A-Za-z_]+,)*)(.*)$/s.exec(text.trim())
  return { flags: m?.[1] ?? '', list: m?.[2] ?? '' }
}

/** The CPUs of a cmdline value (empty on a parse error: the caller shows the error next to the text). */
export function listCpus(text: string, nrCpus: number, exclusion = false): Set<number> {
  if (!text.trim()) return new Set()
  const r = parseCpuList(text, { nrCpus, allowExclusion: exclusion })
  if (!r.ok) return new Set()
  const out = new Set<number>()
  r.cpus.forEach((b, i) => {
    if (b) out.add(i)
  })
  return out
}

function cmdlineOf(json: Json): Json {
  return obj(obj(obj(json, 'host'), 'kernel'), 'cmdline')
}

function readList(json: Json, key: CmdlineKey, nrCpus: number): Set<number> {
  const c = ((json.host as Json | undefined)?.kernel as Json | undefined)?.cmdline as Json | undefined
  const text = typeof c?.[key] === 'string' ? (c[key] as string) : ''
  return listCpus(key === 'isolcpus' ? splitIsolcpus(text).list : text, nrCpus)
}

function writeList(json: Json, key: CmdlineKey, cpus: Set<number>): void {
  const c = cmdlineOf(json)
  const list = cpus.size ? formatCpuList(cpus) : ''
  if (key === 'isolcpus') {
    const { flags } = splitIsolcpus(typeof c.isolcpus === 'string' ? c.isolcpus : '')
    c.isolcpus = list ? `${flags || 'managed_irq,domain,'}${list}` : ''
  } else {
    c[key] = list
  }
}

const ROLE_KEYS: Record<Exclude<PaintRole, 'housekeeping'>, CmdlineKey[]> = {
  nohz_full: ['nohzFull', 'rcuNocbs'],
  isolcpus: ['isolcpus'],
  rcu_nocbs: ['rcuNocbs'],
  irqaffinity: ['irqaffinity'],
}

/**
 * Paints a role on CPUs. `housekeeping` takes them out of nohz_full=, isolcpus= and rcu_nocbs= (and into
 * irqaffinity= when that is set); another role is added — or removed when every CPU already has it.
 */
export function paintRole(json: unknown, role: PaintRole, cpus: readonly number[], nrCpus: number): unknown {
  const out = clone((json ?? {}) as Json)
  if (cpus.length === 0) return out
  if (role === 'housekeeping') {
    for (const key of ['nohzFull', 'isolcpus', 'rcuNocbs'] as const) {
      const set = readList(out, key, nrCpus)
      if (cpus.some((c) => set.has(c))) {
        for (const c of cpus) set.delete(c)
        writeList(out, key, set)
      }
    }
    const irq = readList(out, 'irqaffinity', nrCpus)
    if (irq.size) {
      for (const c of cpus) irq.add(c)
      writeList(out, 'irqaffinity', irq)
    }
    return out
  }
  const keys = ROLE_KEYS[role]
  const primary = readList(out, keys[0] as CmdlineKey, nrCpus)
  const remove = cpus.every((c) => primary.has(c))
  for (const key of remove ? [keys[0] as CmdlineKey] : keys) {
    const set = readList(out, key, nrCpus)
    for (const c of cpus) {
      if (remove) set.delete(c)
      else set.add(c)
    }
    writeList(out, key, set)
  }
  return out
}

/** Sets one cmdline parameter's text as typed (the caller validates it). */
export function setCmdline(json: unknown, key: CmdlineKey, text: string): unknown {
  const out = clone((json ?? {}) as Json)
  cmdlineOf(out)[key] = text
  return out
}

function vmAt(json: Json, index: number): Json {
  let vms = json.vms
  if (!Array.isArray(vms)) {
    vms = []
    json.vms = vms
  }
  const list = vms as unknown[]
  while (list.length <= index) list.push({})
  if (typeof list[index] !== 'object' || list[index] === null) list[index] = {}
  return list[index] as Json
}

/** Pins a thread to a cpuset text ("" = floating), as libvirt's vcpupin/emulatorpin/iothreadpin. */
export function setPin(json: unknown, target: PinTarget, cpuset: string): unknown {
  const out = clone((json ?? {}) as Json)
  const pinning = obj(vmAt(out, target.vm), 'pinning')
  if (target.thread === 'vcpu') {
    const list = Array.isArray(pinning.vcpupin) ? [...(pinning.vcpupin as unknown[])] : []
    while (list.length <= target.vcpu) list.push('')
    list[target.vcpu] = cpuset
    pinning.vcpupin = list
  } else {
    pinning[target.thread === 'emulator' ? 'emulatorpin' : 'iothreadpin'] = cpuset
  }
  return out
}

/** Pins a thread to the given CPUs. */
export function pinTo(json: unknown, target: PinTarget, cpus: readonly number[]): unknown {
  return setPin(json, target, cpus.length ? formatCpuList(new Set(cpus)) : '')
}

// ---- selection ----------------------------------------------------------------------------------

export interface Selection { cpus: number[]; anchor: number | undefined }

export const emptySelection: Selection = { cpus: [], anchor: undefined }

/** Click: only this CPU. Ctrl/Cmd-click: toggle it. Shift-click: the range from the anchor. */
export function clickSelect(sel: Selection, cpu: number, mods: { shift?: boolean; toggle?: boolean }): Selection {
  if (mods.shift && sel.anchor !== undefined) {
    const [a, b] = sel.anchor <= cpu ? [sel.anchor, cpu] : [cpu, sel.anchor]
    const range = Array.from({ length: b - a + 1 }, (_, i) => a + i)
    const base = mods.toggle ? sel.cpus : []
    return { cpus: [...new Set([...base, ...range])].sort((x, y) => x - y), anchor: sel.anchor }
  }
  if (mods.toggle) {
    const has = sel.cpus.includes(cpu)
    return { cpus: has ? sel.cpus.filter((c) => c !== cpu) : [...sel.cpus, cpu].sort((x, y) => x - y), anchor: cpu }
  }
  return { cpus: [cpu], anchor: cpu }
}

/** Drag over a CPU: add it. */
export function dragSelect(sel: Selection, cpu: number): Selection {
  return sel.cpus.includes(cpu) ? sel : { cpus: [...sel.cpus, cpu].sort((x, y) => x - y), anchor: sel.anchor }
}

// ---- history ------------------------------------------------------------------------------------

export interface History<T> { past: T[]; present: T; future: T[] }

export const HISTORY_LIMIT = 200

export function historyOf<T>(present: T): History<T> {
  return { past: [], present, future: [] }
}

export function pushHistory<T>(h: History<T>, next: T): History<T> {
  return { past: [...h.past, h.present].slice(-HISTORY_LIMIT), present: next, future: [] }
}

export function undoHistory<T>(h: History<T>): History<T> {
  if (!h.past.length) return h
  return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1] as T, future: [h.present, ...h.future] }
}

export function redoHistory<T>(h: History<T>): History<T> {
  if (!h.future.length) return h
  return { past: [...h.past, h.present], present: h.future[0] as T, future: h.future.slice(1) }
}

// ---- thread chips: drag (or pick with the keyboard) a VM's thread onto a CPU ---------------------

/** One thread of a VM as a chip in the thread list: what it is, its label and its cpuset as written. */
export interface ThreadChip { key: string; vm: string; vmIndex: number; label: string; short: string; cpuset: string; target: PinTarget }

/** The drag-and-drop payload type (custom, so a chip dropped elsewhere never becomes text). */
export const CHIP_MIME = 'application/x-kvmbench-thread'

/** A stable key for a thread: `0:v3`, `0:emu`, `0:io` (also the drag payload). */
export function pinTargetKey(t: PinTarget): string {
  return t.thread === 'vcpu' ? `${t.vm}:v${t.vcpu}` : `${t.vm}:${t.thread === 'emulator' ? 'emu' : 'io'}`
}

/** The thread a key names, or undefined for anything else (a payload from outside is untrusted). */
export function parsePinTargetKey(key: string): PinTarget | undefined {
  const m = /^(\d{1,4}):(?:v(\d{1,4})|(emu|io))$/.exec(key)
  if (!m) return undefined
  const vm = Number(m[1])
  if (m[2] !== undefined) return { vm, thread: 'vcpu', vcpu: Number(m[2]) }
  return { vm, thread: m[3] === 'emu' ? 'emulator' : 'iothread' }
}

interface VmLike { name: string; vcpus: number; pinning: { vcpupin: readonly string[]; emulatorpin: string; iothreadpin: string } }

/** The chips of every VM's threads: vCPUs, then the emulator thread and the I/O thread. */
export function threadChips(vms: readonly VmLike[]): ThreadChip[] {
  const out: ThreadChip[] = []
  vms.forEach((vm, i) => {
    const add = (target: PinTarget, label: string, short: string, cpuset: string): void => {
      out.push({ key: pinTargetKey(target), vm: vm.name, vmIndex: i, label, short, cpuset, target })
    }
    for (let v = 0; v < vm.vcpus; v++) add({ vm: i, thread: 'vcpu', vcpu: v }, `vCPU ${v}`, `v${v}`, vm.pinning.vcpupin[v] ?? '')
    add({ vm: i, thread: 'emulator' }, 'emulator', 'emu', vm.pinning.emulatorpin)
    add({ vm: i, thread: 'iothread' }, 'I/O thread', 'io', vm.pinning.iothreadpin)
  })
  return out
}

/**
 * A chip dropped on a CPU: the thread is pinned there alone (vcpupin one vCPU to one pCPU, as dedicated
 * instances are). With `add`, the CPU joins the thread's cpuset instead (emulator and I/O threads often
 * span a few housekeeping CPUs). Returns the JSON unchanged (same object) when nothing would change, so
 * the caller can skip an empty undo step.
 */
export function dropPin(json: unknown, target: PinTarget, cpu: number, nrCpus: number, current: string, add = false): unknown {
  const now = current.trim() ? listCpus(current, nrCpus, true) : new Set<number>()
  let next: Set<number>
  if (add) {
    next = new Set(now)
    next.add(cpu)
  } else {
    next = new Set([cpu])
  }
  const text = formatCpuList(next)
  if (current.trim() && now.size === next.size && [...next].every((c) => now.has(c))) return json
  return setPin(json, target, text)
}
