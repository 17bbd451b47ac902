// tuned variables files (tuned's profiles/cpu-partitioning and realtime-virtual-host): /etc/tuned/cpu-partitioning-variables.conf
// (isolated_cores=, no_balance_cores=) and /etc/tuned/realtime-virtual-host-variables.conf
// (isolated_cores=, isolate_managed_irq=). The isolated cores are the configuration's nohz_full= CPUs
// (tuned writes nohz_full= and rcu_nocbs= from isolated_cores), else its isolcpus= or rcu_nocbs= list.
import { fieldError } from '../field-error.ts'
import { parseCpuList, formatCpuList, complement, equals } from '../topology/cpulist.ts'
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
import { ok, failed } from './format-result.ts'
import type { FormatResult } from './format-result.ts'
import { nrCpusOf } from './cmdline.ts'

export type TunedProfile = 'cpu-partitioning' | 'realtime-virtual-host'

function isolcpusParts(v: string): { flags: string[]; list: string } {
  const flags: string[] = []
  let rest = v
  for (let m = /^([A-Za-z_]+),/.exec(rest); m; m = /^([A-Za-z_]+),/.exec(rest)) { flags.push(m[1]!); rest = rest.slice(m[0].length) }
  return { flags, list: rest }
}

export function exportTuned(cfg: ResolvedConfiguration, profile: TunedProfile): FormatResult<string> {
  const host = cfg.host
  const c = host.kernel.cmdline
  const nrCpus = nrCpusOf(host)
  const iso = isolcpusParts(c.isolcpus)
  const source = c.nohzFull !== '' ? { field: 'nohzFull', list: c.nohzFull } : iso.list !== '' ? { field: 'isolcpus', list: iso.list } : c.rcuNocbs !== '' ? { field: 'rcuNocbs', list: c.rcuNocbs } : null
  if (!source) return failed([fieldError('host.kernel.cmdline.nohzFull', '', `configuration ${cfg.name} isolates no CPUs`, 'set nohz_full= (or isolcpus=) to the CPUs that run vCPUs')])
  const r = parseCpuList(source.list, { nrCpus, field: `host.kernel.cmdline.${source.field}` })
  if (!r.ok) return failed([r.error])
  const isolated = formatCpuList(r.cpus)
  const warnings: string[] = []
  const same = (list: string, name: string, expect: Uint8Array): void => {
    if (list === '') { warnings.push(`tuned ${profile} sets ${name}=${formatCpuList(expect)}; this configuration leaves ${name}= unset`); return }
    const p = parseCpuList(list, { nrCpus })
    if (p.ok && !equals(p.cpus, expect)) warnings.push(`tuned ${profile} sets ${name}=${formatCpuList(expect)}; this configuration has ${name}=${list}`)
  }
  same(c.nohzFull, 'nohz_full', r.cpus)
  same(c.rcuNocbs, 'rcu_nocbs', r.cpus)
  const L = [`# /etc/tuned/${profile}-variables.conf — kvmbench configuration ${cfg.name}`, `# isolated cores from ${source.field === 'nohzFull' ? 'nohz_full=' : source.field === 'isolcpus' ? 'isolcpus=' : 'rcu_nocbs='}`, `isolated_cores=${isolated}`]
  if (profile === 'cpu-partitioning') {
    if (iso.list !== '') {
      const p = parseCpuList(iso.list, { nrCpus, field: 'host.kernel.cmdline.isolcpus' })
      if (!p.ok) return failed([p.error])
      L.push('# isolcpus= (scheduler domain isolation) from no_balance_cores', `no_balance_cores=${formatCpuList(p.cpus)}`)
      if (iso.flags.includes('managed_irq')) warnings.push('cpu-partitioning writes isolcpus= without managed_irq; use realtime-virtual-host (isolate_managed_irq=Y) to keep it')
    }
  } else {
    const managed = iso.flags.includes('managed_irq')
    L.push(`isolate_managed_irq=${managed ? 'Y' : 'N'}`)
    // realtime-virtual-host includes realtime, whose [bootloader] cmdline_realtime is
    // +isolcpus=${managed_irq}${isolated_cores} (managed_irq = "managed_irq,domain," when isolate_managed_irq=Y)
    // — redhat-performance/tuned profiles/realtime/tuned.conf
    const parentIsolcpus = `isolcpus=${managed ? 'managed_irq,domain,' : ''}${isolated}`
    const isoCpus = iso.list === '' ? null : parseCpuList(iso.list, { nrCpus })
    const sameIso = isoCpus !== null && isoCpus.ok && equals(isoCpus.cpus, r.cpus) && (!managed || iso.flags.includes('domain'))
    if (!sameIso) warnings.push(`tuned realtime-virtual-host includes the realtime profile, which adds ${parentIsolcpus} to the kernel command line (cmdline_realtime=+isolcpus=\${managed_irq}\${isolated_cores}); this configuration ${c.isolcpus === '' ? 'has no isolcpus=' : `has isolcpus=${c.isolcpus}`} — the deployed host takes those CPUs out of the scheduler's load balancing`)
    const hk = complement(r.cpus)
    if (c.irqaffinity === '') warnings.push(`realtime-virtual-host sets irqaffinity=${formatCpuList(hk)}; this configuration leaves irqaffinity= unset`)
    else same(c.irqaffinity, 'irqaffinity', hk)
  }
  return ok(`${L.join('\n')}\n`, warnings)
}
