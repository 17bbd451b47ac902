// The knobs of the configuration editor, grouped as engineers think of them (boot parameters, KVM module
// parameters, QEMU/libvirt per VM, guest kernel, workload, run). Each knob's type, range, default and
// one-line explanation come from the profile schema itself; its kernel/QEMU/libvirt spelling from
// core/profile/counterparts.ts (the same table docs/profile.md is generated from). Pure.
import * as s from '../../../core/schema/schema.ts'
import type { Schema } from '../../../core/schema/schema.ts'
import { hostSchema, runSchema, vmSchema } from '../../../core/profile/profile-schema.ts'
import { COUNTERPARTS } from '../../../core/profile/counterparts.ts'

/** Which part of a configuration's overrides a knob lives in. */
export type KnobScope = 'host' | 'vm' | 'run'

export type KnobControl =
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly (string | number)[] }
  | { kind: 'number'; integer: boolean; min?: number; max?: number }
  | { kind: 'cpulist'; exclusion: boolean }
  | { kind: 'text' }

export interface Knob {
  /** `host.kvm.piInjectTimer`, `vm.kvm.hintDedicated`, `run.seed`: scope then the path inside it. */
  id: string
  scope: KnobScope
  /** The path inside the scope object (`['kvm', 'piInjectTimer']`). */
  path: readonly string[]
  /** The field path as docs/profile.md lists it (`vms[].kvm.hintDedicated`). */
  field: string
  /** Short label: the path inside the group's common prefix. */
  label: string
  description: string
  /** Kernel/QEMU/libvirt spelling, markdown code spans in backticks ('' when the knob has none). */
  spelling: string
  control: KnobControl
  /** The knob's schema, to validate an edited value with the profile's own messages. */
  schema: Schema<unknown>
  defaultValue: unknown
  /** Workload fields: the workload kinds that have this field (undefined = every kind, or not a workload field). */
  kinds?: string[]
}

export interface KnobGroup {
  id: string
  title: string
  /** What the group is, in one line. */
  blurb: string
  knobs: Knob[]
}

const ROOTS: Record<KnobScope, Schema<unknown>> = { host: hostSchema, vm: vmSchema, run: runSchema }
const FIELD_PREFIX: Record<KnobScope, string> = { host: 'host', vm: 'vms[]', run: 'run' }
const CPULISTS = new Set(['host.kernel.cmdline.nohzFull', 'host.kernel.cmdline.rcuNocbs', 'host.kernel.cmdline.irqaffinity', 'vm.pinning.emulatorpin', 'vm.pinning.iothreadpin'])

/** The sub-schema at a path of an object schema (undefined when there is none). */
export function schemaAt(root: Schema<unknown>, path: readonly string[]): Schema<unknown> | undefined {
  let cur: Schema<unknown> | undefined = root
  for (const k of path) {
    const shape: Record<string, Schema<unknown>> | undefined = (cur as { shape?: Record<string, Schema<unknown>> } | undefined)?.shape
    cur = shape?.[k]
    if (!cur) return undefined
  }
  return cur
}

/** The workload kinds (variants of a discriminated workload schema) that have a field; undefined when all do. */
function workloadKinds(scope: KnobScope, path: readonly string[]): string[] | undefined {
  if (scope !== 'vm' || path[0] !== 'workload' || path.length !== 2 || path[1] === 'kind') return undefined
  const w = schemaAt(vmSchema, ['workload']) as { variants?: { shape: Record<string, Schema<unknown>> }[] } | undefined
  if (!w?.variants) return undefined
  const kinds = w.variants.filter((v) => path[1]! in v.shape).map((v) => String(v.shape.kind?.defaultValue))
  return kinds.length === w.variants.length ? undefined : kinds
}

function controlOf(id: string, json: Record<string, unknown>): KnobControl {
  if (Array.isArray(json.enum)) return { kind: 'enum', values: json.enum as (string | number)[] }
  if (json.type === 'boolean') return { kind: 'boolean' }
  if (json.type === 'integer' || json.type === 'number') {
    return { kind: 'number', integer: json.type === 'integer', min: json.minimum as number | undefined, max: json.maximum as number | undefined }
  }
  if (CPULISTS.has(id)) return { kind: 'cpulist', exclusion: id.startsWith('vm.pinning.') }
  return { kind: 'text' }
}

/** One knob by id (`host.kvm.piInjectTimer`). Throws on an id the schema does not have: a programming error. */
export function knob(id: string, labelFrom = 0): Knob {
  const [scope, ...path] = id.split('.') as [KnobScope, ...string[]]
  const root = ROOTS[scope]
  const schema = root && schemaAt(root, path)
  if (!schema) throw new Error(`no profile field ${id}`)
  const json = schema.json()
  const field = `${FIELD_PREFIX[scope]}.${path.join('.')}`
  return {
    id,
    scope,
    path,
    field,
    label: path.slice(labelFrom).join('.'),
    description: schema.description ?? String(json.description ?? ''),
    spelling: COUNTERPARTS[field] ?? '',
    control: controlOf(id, json),
    schema,
    defaultValue: schema.defaultValue,
    kinds: workloadKinds(scope, path),
  }
}

/** The workload's fields: `kind` first, then every variant's fields in schema order. */
function workloadFields(): string[] {
  const w = schemaAt(vmSchema, ['workload']) as { shape?: Record<string, Schema<unknown>> } | undefined
  const names = Object.keys(w?.shape ?? {})
  const kind = schemaAt(vmSchema, ['workload', 'kind'])?.json()
  // A single-kind workload has a literal kind: nothing to choose.
  const choosable = Array.isArray(kind?.enum) && (kind.enum as unknown[]).length > 1
  return [...(choosable ? ['kind'] : []), ...names.filter((n) => n !== 'kind')]
}

const group = (id: string, title: string, blurb: string, prefix: string, names: string[]): KnobGroup => ({
  id,
  title,
  blurb,
  knobs: names.map((n) => knob(`${prefix}.${n}`, prefix.split('.').length - 1)),
})

/** The editor's groups, in the order an engineer tunes a host. */
export const KNOB_GROUPS: readonly KnobGroup[] = [
  group('host-kernel', 'Host kernel boot parameters', 'The host kernel and its command line: CPU isolation, idle states, tick rate.', 'host.kernel', [
    'cmdline.nohzFull', 'cmdline.isolcpus', 'cmdline.rcuNocbs', 'cmdline.irqaffinity', 'cmdline.idle', 'cmdline.intelIdleMaxCstate', 'version', 'hz',
  ]),
  group('kvm-module', 'KVM module parameters', 'kvm, kvm_intel and kvm_amd parameters (/sys/module/kvm*/parameters).', 'host.kvm', [
    'piInjectTimer', 'preemptionTimer', 'enableApicv', 'enableIpiv', 'haltPoll.haltPollNs', 'haltPoll.grow', 'haltPoll.growStart', 'haltPoll.shrink', 'pleGap', 'pleWindow',
    'pleWindowGrow', 'pleWindowShrink', 'pleWindowMax',
  ]),
  {
    id: 'qemu-libvirt',
    title: 'QEMU / libvirt per VM',
    blurb: 'Exits disabled, hint-dedicated, x2APIC and interrupt remapping, paravirtual features, the I/O path and thread pinning of each VM.',
    knobs: [
      ...['disableExits.hlt', 'disableExits.mwait', 'disableExits.pause', 'disableExits.cstate', 'hintDedicated', 'x2apic', 'interruptRemapping', 'pitReinject'].map((n) => knob(`vm.kvm.${n}`, 1)),
      ...['stealTime', 'pvUnhalt', 'pollControl', 'pvIpi', 'pvTlbFlush', 'pvSchedYield'].map((n) => knob(`vm.kvm.pv.${n}`, 1)),
      knob('vm.io'),
      knob('vm.pinning.emulatorpin', 1),
      knob('vm.emulator.wakeupsPerSec', 1),
      knob('vm.emulator.runNs', 1),
      knob('vm.pinning.iothreadpin', 1),
    ],
  },
  group('guest-kernel', 'Guest kernel', 'The guest kernel version, tick, spinlocks and cpuidle-haltpoll.', 'vm.guest', [
    'kernelVersion', 'hz', 'tickMode', 'nopvspin', 'x2apicPhys', 'idlePoll', 'haltpoll.enabled', 'haltpoll.guestHaltPollNs', 'haltpoll.grow', 'haltpoll.growStart', 'haltpoll.shrink', 'backgroundTimersPerSec', 'tlbShootdownsPerSec',
  ]),
  group('workload', 'Workload', 'What runs in each VM: a redis server and its clients, fork-join threads meeting at barriers, netperf TCP_RR-like ping-pong, cyclictest-like timer wake-ups, or hackbench message passing.', 'vm.workload', workloadFields()),
  group('contention', 'Contention', 'Hot spinlocks and short sleeps added to the workload: lock-holder preemption, PAUSE exits, pv_wait/pv_kick.', 'vm.contention', [
    'spinlock.acquisitionsPerSec', 'spinlock.holdNs', 'spinlock.locks', 'spinlock.userSpace', 'idleGaps.perSec', 'idleGaps.meanNs',
  ]),
  group('experimental', 'Experimental (seed RFCs)', 'Patches posted as RFCs, in no kernel: HLT/MWAIT exits to the VMM, yield() on an emulated MWAIT, guest state kept loaded across a schedule-out, the dropped LAPIC timer VM-entry advance.', 'vm.kvm.experimental', [
    'userspaceExits.hlt', 'userspaceExits.mwait', 'userspaceExits.vmmWorkNs', 'userspaceExits.hltWait', 'mwaitYield', 'keepStateLoaded', 'vmentryAdvanceNs',
  ]),
  group('host-noise', 'Host noise', 'What else runs on the host: housekeeping work and TLB shootdowns.', 'host.noise', ['tlbShootdownsPerSec', 'kworkerPerSec', 'kworkerNs']),
  group('run', 'Run', 'How long to simulate, and the seed.', 'run', ['durationSec', 'warmupSec', 'seed', 'replications']),
]

/** Every knob by id. */
export const KNOBS: ReadonlyMap<string, Knob> = new Map(KNOB_GROUPS.flatMap((g) => g.knobs.map((k) => [k.id, k] as const)))

/** The knob an override location (`['host','kvm','piInjectTimer']`, `['vms','redis-vm','io']`) sets, if the editor has one. */
export function knobAt(loc: readonly string[]): Knob | undefined {
  const [part, ...rest] = loc
  if (part === 'host' || part === 'run' || part === 'vm') return KNOBS.get([part, ...rest].join('.'))
  if (part === 'vms') return KNOBS.get(['vm', ...rest.slice(1)].join('.'))
  return undefined
}

/** Splits a spelling such as "`kvm.pi_inject_timer` (v5.3+)" into text and code segments. */
export function spellingSegments(spelling: string): { code: boolean; text: string }[] {
  return spelling
    .split('`')
    .map((text, i) => ({ code: i % 2 === 1, text }))
    .filter((p) => p.text !== '')
}

/** Checks an edited value against the knob's schema; the problem as "message — fix", or undefined. */
export function knobProblem(k: Knob, value: unknown): string | undefined {
  const r = s.parse(k.schema, value)
  if (r.ok) return undefined
  const i = r.issues[0]
  return i ? `${i.message} — ${i.fix}` : 'is not valid'
}

/** How a value reads in the editor (strings as typed, "" as "(not set)"). */
export function showValue(v: unknown): string {
  if (v === undefined) return '—'
  if (v === '') return '(not set)'
  return typeof v === 'string' ? v : JSON.stringify(v)
}

/** Matches a knob against the editor's filter text (label, field, spelling or description). */
export function knobMatches(k: Knob, filter: string): boolean {
  const f = filter.trim().toLowerCase()
  if (!f) return true
  return [k.id, k.field, k.spelling, k.description].some((t) => t.toLowerCase().includes(f))
}
