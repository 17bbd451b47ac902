// What the workbench shows of a profile: host, VMs, pinning, the kernel command line, and each
// configuration's overrides as a flat list of differences. Pure functions over the loaded profile.
import type { Profile, Overrides } from '../../../core/profile/profile-schema.ts'

export interface HostSummary {
  cpu: string
  logicalCpus: number
  topology: string
  kernel: string
  cmdline: string
}

export interface VmSummary {
  name: string
  vcpus: number
  pinning: string[]
  emulatorpin: string
  iothreadpin: string
  io: string
  workload: string
}

export interface Difference { path: string; value: string }

export function logicalCpus(p: Profile): number {
  const t = p.host.topology
  return t.sockets * t.coresPerSocket * t.threadsPerCore
}

/** The kernel command line as an engineer would type it (only the parameters that are set). */
export function kernelCmdline(c: Profile['host']['kernel']['cmdline']): string {
  const parts: string[] = []
  if (c.nohzFull) parts.push(`nohz_full=${c.nohzFull}`)
  if (c.isolcpus) parts.push(`isolcpus=${c.isolcpus}`)
  if (c.rcuNocbs) parts.push(`rcu_nocbs=${c.rcuNocbs}`)
  if (c.irqaffinity) parts.push(`irqaffinity=${c.irqaffinity}`)
  if (c.idle !== 'default') parts.push(`idle=${c.idle}`)
  if (c.intelIdleMaxCstate >= 0) parts.push(`intel_idle.max_cstate=${c.intelIdleMaxCstate}`)
  return parts.join(' ')
}

export function hostSummary(p: Profile): HostSummary {
  const t = p.host.topology
  return {
    cpu: p.host.cpu,
    logicalCpus: logicalCpus(p),
    topology: `${t.sockets} socket${t.sockets > 1 ? 's' : ''} × ${t.coresPerSocket} cores × ${t.threadsPerCore} threads, ${t.numaNodesPerSocket * t.sockets} NUMA node${t.numaNodesPerSocket * t.sockets > 1 ? 's' : ''}`,
    kernel: `Linux ${p.host.kernel.version}, HZ=${p.host.kernel.hz}`,
    cmdline: kernelCmdline(p.host.kernel.cmdline),
  }
}

/** One line for a VM's workload, whatever its kind. */
export function workloadSummary(w: Profile['vms'][number]['workload']): string {
  if (w.kind === 'redis') return `redis, ${w.clients} loop, ${w.connections} connections`
  if (w.kind === 'ping-pong') return `ping-pong (TCP_RR), ${w.streams} stream${w.streams > 1 ? 's' : ''}`
  if (w.kind === 'timer') return `timer (cyclictest), ${w.threads || 'one per vCPU'} threads, every ${w.intervalUs} µs`
  if (w.kind === 'hackbench') return `hackbench, ${w.groups} group${w.groups > 1 ? 's' : ''} × ${w.fds} fds, ${w.pipe ? 'pipes' : 'sockets'}`
  const fields = w as unknown as Record<string, unknown>
  return typeof fields.threads === 'number' ? `${w.kind}, ${fields.threads || 'one per vCPU'} threads` : String(w.kind)
}

export function vmSummaries(p: Profile): VmSummary[] {
  return p.vms.filter((vm): vm is NonNullable<typeof vm> => vm !== undefined).map((vm) => ({
    name: vm.name,
    vcpus: vm.vcpus,
    pinning: Array.from({ length: vm.vcpus }, (_, i) => vm.pinning.vcpupin[i] || 'floating'),
    emulatorpin: vm.pinning.emulatorpin || 'all CPUs',
    iothreadpin: vm.pinning.iothreadpin || 'all CPUs',
    io: vm.io,
    workload: workloadSummary(vm.workload),
  }))
}

/** Flattens an override object to `host.kernel.cmdline.nohzFull = "2-23"` style differences. */
export function flattenOverrides(o: Partial<Overrides> | Record<string, unknown>): Difference[] {
  const out: Difference[] = []
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>)
      if (entries.length === 0 && path) out.push({ path, value: '{}' })
      for (const [k, x] of entries) walk(x, path ? `${path}.${k}` : k)
    } else if (v !== undefined) {
      out.push({ path, value: JSON.stringify(v) })
    }
  }
  walk(o, '')
  return out.filter((d) => d.value !== '{}')
}
