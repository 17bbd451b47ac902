// The KVM module parameters as the running kernel holds them: /sys/module/kvm/parameters and
// /sys/module/kvm_intel|kvm_amd/parameters (param_get_uint/ushort print a number, param_get_bool "Y"/"N"),
// for the parameters the profile models (core/formats/kvm-params.ts). Two are written back as "automatic"
// when the value read is what the kernel chose by itself, so that the profile's configurations keep that
// choice: kvm.pi_inject_timer (kvm_x86_init(): -1 becomes housekeeping_enabled(HK_TYPE_TIMER)) and
// kvm.halt_poll_ns_shrink (the version's default, 0 before v6.11 and 2 from it).
import { KVM_PARAMS, parseBool, parseUint } from '../../../core/formats/kvm-params.ts'
import type { DeepPartialKvm, KvmModule } from '../../../core/formats/kvm-params.ts'
import { defaultShrink } from '../../../core/kvm/halt-poll.ts'
import type { MachineFs } from './machine-fs.ts'

export interface KvmModulesRead {
  kvm: DeepPartialKvm
  read: { item: string; value: string }[]
  notRead: { item: string; reason: string }[]
}

export interface KvmModulesContext {
  vendor: 'vmx' | 'svm'
  hostVersion: string
  /** housekeeping_enabled(HK_TYPE_TIMER) from the command line: what pi_inject_timer=-1 resolves to. */
  timerIsolated: boolean
  /** Parameters the command line sets explicitly (module.name): they are never "automatic". */
  onCmdline: Set<string>
}

export function readKvmModules(fs: MachineFs, ctx: KvmModulesContext): KvmModulesRead {
  const out: KvmModulesRead = { kvm: {}, read: [], notRead: [] }
  const vendorModule: KvmModule = ctx.vendor === 'vmx' ? 'kvm_intel' : 'kvm_amd'
  for (const module of ['kvm', vendorModule] as const) {
    const dir = `sys/module/${module}/parameters`
    const listing = fs.list(dir)
    if (!listing.ok) {
      const mods = fs.list('sys/module')
      const others = module !== 'kvm' && mods.ok ? mods.names.filter((n) => /^kvm_/.test(n)) : []
      const host = listing.reason === 'missing' ? ` — ${module} is not loaded: not a KVM host${others.length ? ` (loaded: ${others.join(', ')}, which the bench does not model)` : ''}` : ''
      out.notRead.push({ item: `${module} module parameters`, reason: `${fs.shown(dir)}: ${listing.reason}${host}` })
      if (module === 'kvm') break
      continue
    }
    const values: string[] = []
    for (const p of KVM_PARAMS.filter((x) => x.module === module && (x.vendor === undefined || x.vendor === ctx.vendor))) {
      const r = fs.read(`${dir}/${p.name}`)
      const item = `${module}.${p.name}`
      if (!r.ok) { out.notRead.push({ item, reason: `${fs.shown(`${dir}/${p.name}`)}: ${r.reason}` }); continue }
      const text = r.text.trim()
      if (p.type === 'bool') {
        const b = parseBool(text)
        if (b === null) { out.notRead.push({ item, reason: `"${text}" is not Y or N` }); continue }
        p.set(out.kvm, b)
      } else if (p.type === 'bint') {
        const n = /^-?\d+$/.test(text) ? Number(text) : NaN
        if (n !== 0 && n !== 1 && n !== -1) { out.notRead.push({ item, reason: `"${text}" is not -1, 0 or 1` }); continue }
        const auto = ctx.timerIsolated ? 1 : 0
        if (n === -1 || (n === auto && !ctx.onCmdline.has(item))) out.kvm.piInjectTimer = -1
        else out.kvm.piInjectTimer = n as 0 | 1
      } else {
        const n = parseUint(text, p.type === 'ushort' ? 0xffff : 0xffffffff)
        if (n === null) { out.notRead.push({ item, reason: `"${text}" is not an unsigned number` }); continue }
        if (n < (p.min ?? 0) || n > (p.max ?? Infinity)) { out.notRead.push({ item, reason: `${n} is outside the range the bench models (${p.min}–${p.max})` }); continue }
        if (p.name === 'halt_poll_ns_shrink' && n === defaultShrink(ctx.hostVersion) && !ctx.onCmdline.has(item)) out.kvm.haltPoll = { ...out.kvm.haltPoll, shrink: -1 }
        else p.set(out.kvm, n)
      }
      values.push(`${p.name}=${text}`)
    }
    if (values.length) out.read.push({ item: `${module} module parameters`, value: values.join(' ') })
  }
  return out
}
