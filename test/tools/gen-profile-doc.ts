#!/usr/bin/env node
// Writes the field table of docs/profile.md from the profile schema itself (core/profile/profile-schema.ts),
// between the BEGIN/END markers. Usage: `node test/tools/gen-profile-doc.ts` (writes), or with `--check`
// (exits 1 when docs/profile.md is out of date). test/tools/profile-doc.node.test.ts runs the check.
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { profileSchema } from '../../core/profile/profile-schema.ts'
import { describeFields } from '../../core/schema/schema.ts'
import type { FieldDescription } from '../../core/schema/schema.ts'

export const BEGIN = '<!-- BEGIN GENERATED FIELD TABLE (test/tools/gen-profile-doc.ts) -->'
export const END = '<!-- END GENERATED FIELD TABLE -->'

export const DOC_PATH = resolve(import.meta.dirname, '../../docs/profile.md')

/** Overrides are partial copies of host / vm / run: listed once, not walked again. */
const collapse = (path: string): boolean => /^configurations\[\]\.overrides\.[A-Za-z]+$/.test(path)

/** Kernel, QEMU and libvirt counterparts of the fields (what an engineer would set on a real host). */
export const COUNTERPARTS: Record<string, string> = {
  'schemaVersion': 'must be written; a newer version is refused',
  'host.cpu': '`lscpu` "Model name"',
  'host.topology.sockets': '`lscpu` Socket(s)',
  'host.topology.coresPerSocket': '`lscpu` Core(s) per socket',
  'host.topology.threadsPerCore': '`lscpu` Thread(s) per core; `nosmt`',
  'host.topology.numaNodesPerSocket': 'BIOS SNC / NPS setting; `lscpu` NUMA node(s)',
  'host.topology.llcPerSocket': '`lscpu -C`, `/sys/devices/system/cpu/cpu*/cache/index3/shared_cpu_list`',
  'host.kernel.version': '`uname -r`',
  'host.kernel.hz': '`CONFIG_HZ`',
  'host.kernel.cmdline.nohzFull': 'kernel `nohz_full=`',
  'host.kernel.cmdline.isolcpus': 'kernel `isolcpus=`; tuned `isolated_cores`',
  'host.kernel.cmdline.rcuNocbs': 'kernel `rcu_nocbs=`',
  'host.kernel.cmdline.irqaffinity': 'kernel `irqaffinity=`',
  'host.kernel.cmdline.idle': 'kernel `idle=`',
  'host.kernel.cmdline.intelIdleMaxCstate': 'kernel `intel_idle.max_cstate=`',
  'host.kvm.haltPoll.haltPollNs': '`/sys/module/kvm/parameters/halt_poll_ns`; per VM `KVM_CAP_HALT_POLL`',
  'host.kvm.haltPoll.grow': '`kvm.halt_poll_ns_grow`',
  'host.kvm.haltPoll.growStart': '`kvm.halt_poll_ns_grow_start` (v5.1+)',
  'host.kvm.haltPoll.shrink': '`kvm.halt_poll_ns_shrink`',
  'host.kvm.piInjectTimer': '`kvm.pi_inject_timer` (v5.3+)',
  'host.kvm.preemptionTimer': '`kvm_intel.preemption_timer`',
  'host.kvm.enableApicv': '`kvm_intel.enable_apicv`, `kvm_amd.avic`',
  'host.kvm.enableIpiv': '`kvm_intel.enable_ipiv` (v5.19+)',
  'host.kvm.pleGap': '`kvm_intel.ple_gap`, `kvm_amd.pause_filter_thresh`',
  'host.kvm.pleWindow': '`kvm_intel.ple_window`, `kvm_amd.pause_filter_count`',
  'host.noise.irqs[].affinity': '`/proc/irq/N/smp_affinity_list`',
  'host.noise.tlbShootdownsPerSec': '`/proc/interrupts` TLB row',
  'host.noise.kworkerNs': '`/sys/devices/virtual/workqueue/cpumask`',
  'vms[].name': 'libvirt `<name>`; QEMU `-name`',
  'vms[].vcpus': 'libvirt `<vcpu>`; QEMU `-smp N`',
  'vms[].guestTopology': 'libvirt `<cpu><topology>`; QEMU `-smp sockets=,cores=,threads=`',
  'vms[].pinning.vcpupin': 'libvirt `<cputune><vcpupin vcpu= cpuset=>`; `virsh vcpupin`',
  'vms[].pinning.emulatorpin': 'libvirt `<cputune><emulatorpin cpuset=>`',
  'vms[].pinning.iothreadpin': 'libvirt `<cputune><iothreadpin>`; vhost worker affinity',
  'vms[].kvm.disableExits.mwait': '`KVM_X86_DISABLE_EXITS_MWAIT`; QEMU `-overcommit cpu-pm=on`',
  'vms[].kvm.disableExits.hlt': '`KVM_X86_DISABLE_EXITS_HLT`; QEMU `-overcommit cpu-pm=on`',
  'vms[].kvm.disableExits.pause': '`KVM_X86_DISABLE_EXITS_PAUSE`; QEMU `-overcommit cpu-pm=on`',
  'vms[].kvm.disableExits.cstate': '`KVM_X86_DISABLE_EXITS_CSTATE`; QEMU `-overcommit cpu-pm=on`',
  'vms[].kvm.hintDedicated': '`KVM_HINTS_REALTIME`; QEMU `-cpu …,kvm-hint-dedicated=on`; libvirt `<hint-dedicated state="on"/>`',
  'vms[].kvm.pv.stealTime': '`KVM_FEATURE_STEAL_TIME`; QEMU `kvm-steal-time`',
  'vms[].kvm.pv.pvUnhalt': '`KVM_FEATURE_PV_UNHALT`; QEMU `kvm-pv-unhalt`; libvirt `<pvspinlock>`',
  'vms[].kvm.pv.pollControl': '`KVM_FEATURE_POLL_CONTROL`; QEMU `kvm-poll-control`; libvirt `<poll-control>`',
  'vms[].kvm.pv.pvIpi': '`KVM_FEATURE_PV_SEND_IPI`; QEMU `kvm-pv-ipi`; libvirt `<pv-ipi>`',
  'vms[].kvm.pv.pvTlbFlush': '`KVM_FEATURE_PV_TLB_FLUSH`; QEMU `kvm-pv-tlb-flush`',
  'vms[].kvm.pv.pvSchedYield': '`KVM_FEATURE_PV_SCHED_YIELD`; QEMU `kvm-pv-sched-yield`',
  'vms[].io': 'libvirt `<interface type="network"><driver name="vhost">` or `<hostdev>` (VF)',
  'vms[].guest.kernelVersion': 'guest `uname -r`',
  'vms[].guest.hz': 'guest `CONFIG_HZ`',
  'vms[].guest.tickMode': 'guest `CONFIG_NO_HZ_IDLE` / `nohz=off` / `nohz_full=`',
  'vms[].guest.nopvspin': 'guest kernel `nopvspin` (v5.5+)',
  'vms[].guest.idlePoll': 'guest kernel `idle=poll`',
  'vms[].guest.haltpoll.enabled': 'guest `cpuidle_haltpoll.force=` (v5.7+)',
  'vms[].guest.haltpoll.guestHaltPollNs': '`/sys/module/haltpoll/parameters/guest_halt_poll_ns`',
  'vms[].guest.haltpoll.grow': '`haltpoll.guest_halt_poll_grow`',
  'vms[].guest.haltpoll.growStart': '`haltpoll.guest_halt_poll_grow_start`',
  'vms[].guest.haltpoll.shrink': '`haltpoll.guest_halt_poll_shrink`',
  'vms[].workload.connections': '`redis-benchmark -c`',
  'vms[].workload.pipeline': '`redis-benchmark -P`',
  'vms[].workload.serverThreads': 'redis `io-threads`',
  'vms[].workload.rxBatch': '`ethtool -C rx-usecs/rx-frames`, NAPI',
  'vms[].workload.txKickEvery': 'virtio `VIRTIO_RING_F_EVENT_IDX`',
}

const cell = (t: string): string => t.replace(/\|/g, '\\|').replace(/\n/g, ' ')
/** Free text: also keep `<vcpupin …>` from being read as HTML. */
const text = (t: string): string => cell(t).replace(/</g, '&lt;').replace(/>/g, '&gt;')
const code = (t: string): string => (t === '' ? '' : `\`${t}\``)

export function fieldRows(): FieldDescription[] {
  return describeFields(profileSchema, { collapse })
}

/** The generated block, markers included. */
export function renderTable(): string {
  const lines = [
    BEGIN,
    '',
    '| Field | Type | Default | Meaning | Kernel / QEMU / libvirt |',
    '|---|---|---|---|---|',
  ]
  for (const f of fieldRows()) {
    const def = f.required ? '*required*' : code(f.default)
    lines.push(`| \`${f.path}\` | ${cell(f.type)} | ${cell(def)} | ${text(f.description)} | ${cell(COUNTERPARTS[f.path] ?? '')} |`)
  }
  lines.push('', END)
  return lines.join('\n')
}

/** The document with its generated block replaced. Throws when the markers are missing. */
export function renderDoc(current: string): string {
  const a = current.indexOf(BEGIN)
  const b = current.indexOf(END)
  if (a < 0 || b < a) throw new Error(`docs/profile.md: the markers ${BEGIN} … ${END} are missing`)
  return current.slice(0, a) + renderTable() + current.slice(b + END.length)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const current = readFileSync(DOC_PATH, 'utf8')
  const next = renderDoc(current)
  if (process.argv.includes('--check')) {
    if (next !== current) {
      process.stderr.write('docs/profile.md is out of date with core/profile/profile-schema.ts — run: node test/tools/gen-profile-doc.ts\n')
      process.exit(1)
    }
  } else if (next !== current) {
    writeFileSync(DOC_PATH, next)
    process.stdout.write('docs/profile.md updated\n')
  }
}
