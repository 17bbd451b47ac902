// The guest kernel command line of a configuration's VM: the guest-side settings the profile models
// (guest idle=poll, nopvspin, the tick mode, cpuidle-haltpoll and its governor's parameters), as one
// line for the guest's GRUB_CMDLINE_LINUX. Parameter names are the guest kernel's own: idle= and
// nopvspin (arch/x86/kernel/kvm.c, v5.5+), nohz= and nohz_full=, cpuidle_haltpoll.force (v5.7+,
// drivers/cpuidle/cpuidle-haltpoll.c) and haltpoll.guest_halt_poll_* (drivers/cpuidle/governors/haltpoll.c).
import { fieldError } from '../field-error.ts'
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import { atLeast } from '../kernel-version.ts'
import { ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'

/** The haltpoll governor's module parameter defaults (guest_halt_poll_ns 200000, grow 2, grow_start 50000, shrink 2). */
const GOVERNOR: readonly { key: 'guestHaltPollNs' | 'grow' | 'growStart' | 'shrink'; param: string; def: number }[] = [
  { key: 'guestHaltPollNs', param: 'guest_halt_poll_ns', def: 200_000 },
  { key: 'grow', param: 'guest_halt_poll_grow', def: 2 },
  { key: 'growStart', param: 'guest_halt_poll_grow_start', def: 50_000 },
  { key: 'shrink', param: 'guest_halt_poll_shrink', def: 2 },
]

export function exportGuestCmdline(cfg: ResolvedConfiguration, opts: { vm?: string } = {}): FormatResult<string> {
  const vm = opts.vm === undefined ? cfg.vms[0] : cfg.vms.find((v) => v.name === opts.vm)
  if (!vm) return failed([fieldError('--vm', opts.vm ?? '', 'is not a VM of the configuration', `use one of ${cfg.vms.map((v) => v.name).join(', ')}`)])
  const g = vm.guest
  const version = g.kernelVersion
  const parts: string[] = []
  const warnings: string[] = []
  if (g.idlePoll) parts.push('idle=poll')
  if (g.nopvspin) {
    parts.push('nopvspin')
    if (!atLeast(version, '5.5')) warnings.push(`nopvspin exists from guest kernel 5.5; this guest runs ${version} and ignores it`)
  }
  // arch/x86/kernel/apic/x2apic_phys.c early_param("x2apic_phys")
  if (g.x2apicPhys) parts.push('x2apic_phys')
  if (g.tickMode === 'periodic') parts.push('nohz=off')
  else if (g.tickMode === 'nohz-full') {
    // the boot CPU stays a housekeeping CPU (housekeeping_setup() refuses an empty housekeeping set)
    if (vm.vcpus > 1) parts.push(`nohz_full=${vm.vcpus === 2 ? '1' : `1-${vm.vcpus - 1}`}`)
    else warnings.push('guest tickMode nohz-full with one vCPU: the boot CPU must keep the tick; nohz_full= not written')
  }
  const hp = g.haltpoll
  if (hp.enabled === 'force') {
    parts.push('cpuidle_haltpoll.force=Y')
    if (!atLeast(version, '5.7')) warnings.push(`cpuidle_haltpoll.force exists from guest kernel 5.7; this guest runs ${version}`)
  } else if (hp.enabled === 'off') {
    parts.push('modprobe.blacklist=cpuidle_haltpoll')
    warnings.push('haltpoll off: modprobe.blacklist= keeps cpuidle-haltpoll out when it is a module (CONFIG_HALTPOLL_CPUIDLE=m); built in, it loads whenever the host gives KVM_HINTS_REALTIME — then use cpuidle.off=1 or turn hint-dedicated off')
  }
  for (const p of GOVERNOR) if (hp[p.key] !== p.def) parts.push(`haltpoll.${p.param}=${hp[p.key]}`)
  if (!hp.allowShrink) parts.push('haltpoll.guest_halt_poll_allow_shrink=N')
  // the cpuidle driver and governor (drivers/cpuidle/cpuidle.c: cpuidle.off=, cpuidle.governor=)
  if (g.cpuidle.driver === 'none') parts.push('cpuidle.off=1')
  if (g.cpuidle.governor === 'teo') {
    parts.push('cpuidle.governor=teo')
    if (!atLeast(version, '5.1')) warnings.push(`the teo governor exists from guest kernel 5.1; this guest runs ${version} and uses menu`)
  }
  if (g.idlePoll && hp.enabled !== 'off') warnings.push('guest idle=poll: cpuidle-haltpoll does not load (haltpoll_init() returns when idle= is set)')
  return ok(`${parts.join(' ')}\n`, warnings)
}
