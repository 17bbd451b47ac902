// Host thread affinity from the profile's pinning (libvirt <vcpupin>/<emulatorpin>/<iothreadpin>, taskset — the
// sched_setaffinity() masks the vCPU, emulator and I/O threads run with): where each thread starts and which pCPUs it
// may run on, with a field error for every cpulist that does not parse or selects no CPU.
import type { Vm } from '../profile/profile-schema.ts'
import type { Issue } from '../schema/schema.ts'
import { parseCpuList, cpusOf } from '../topology/cpulist.ts'
import type { VcpuSpec, HostTaskSpec } from './model-inputs.ts'

export const issue = (path: string, value: string, message: string, fix: string): Issue => ({ path, value, message, fix })

/** vCPU i's thread: pinned to its vcpupin CPU, or floating over its vcpupin set — over the scheduler-domain CPUs
 *  (HK_TYPE_DOMAIN: a thread started without an affinity inherits init's, which excludes isolcpus=domain CPUs) when it
 *  has none. A floating vCPU starts on the highest CPU of its set no vCPU took yet; the host scheduler moves it later. */
export function pinVcpus(vm: Vm, nrCpus: number, used: Set<number>, domain: Uint8Array, field: string, issues: Issue[]): { pcpu: number; allowed: number[] | null }[] {
  const out: { pcpu: number; allowed: number[] | null }[] = []
  for (let i = 0; i < vm.vcpus; i++) {
    const text = vm.pinning.vcpupin[i] ?? ''
    let cpus: number[]
    if (text.trim() !== '') {
      const r = parseCpuList(text, { nrCpus, allowExclusion: true, field: `${field}[${i}]` })
      if (!r.ok) { issues.push(issue(`${field}[${i}]`, JSON.stringify(r.error.value), r.error.what, r.error.fix)); continue }
      cpus = cpusOf(r.cpus)
      if (!cpus.length) { issues.push(issue(`${field}[${i}]`, JSON.stringify(text), 'selects no CPU', 'pin the vCPU to at least one host CPU')); continue }
    } else {
      cpus = cpusOf(domain)
    }
    let cpu = -1
    for (let k = cpus.length - 1; k >= 0; k--) if (!used.has(cpus[k]!)) { cpu = cpus[k]!; break }
    if (cpu < 0) cpu = cpus[i % cpus.length]!
    used.add(cpu)
    out.push({ pcpu: cpu, allowed: cpus.length > 1 ? cpus : null })
  }
  if (vm.pinning.vcpupin.length > vm.vcpus) issues.push(issue(field, `[${vm.pinning.vcpupin.length} entries]`, `pins more vCPUs than the VM's ${vm.vcpus}`, `remove the entries from index ${vm.vcpus} on, or raise vcpus`))
  return out
}

export function cpusOfField(text: string, nrCpus: number, field: string, issues: Issue[]): number[] {
  const r = parseCpuList(text, { nrCpus, allowExclusion: true, field })
  if (!r.ok) { issues.push(issue(field, JSON.stringify(r.error.value), r.error.what, r.error.fix)); return [] }
  const cpus = cpusOf(r.cpus)
  if (!cpus.length) issues.push(issue(field, JSON.stringify(text), 'selects no CPU', 'give at least one host CPU'))
  return cpus
}

/** Per pCPU: how many host threads may run there (each vCPU thread and task counted once on every CPU of its
 *  affinity), and whether a vCPU thread may. The model shares a pCPU (ticks on nohz_full, run queues) where more than
 *  one may; the decisions name the same pCPUs. */
export function pcpuReach(vcpus: VcpuSpec[], tasks: HostTaskSpec[], nrCpus: number): { threads: Int32Array; vcpu: Uint8Array } {
  const threads = new Int32Array(nrCpus)
  const vcpu = new Uint8Array(nrCpus)
  for (const v of vcpus) for (const c of v.allowed ?? [v.pcpu]) { threads[c]!++; vcpu[c] = 1 }
  for (const t of tasks) for (const c of t.cpus) threads[c]!++
  return { threads, vcpu }
}

export function firstOf(text: string, nrCpus: number, fallback: Uint8Array, field: string, issues: Issue[]): number {
  if (text.trim() === '') return cpusOf(fallback)[0] ?? 0
  const r = parseCpuList(text, { nrCpus, allowExclusion: true, field })
  if (!r.ok) { issues.push(issue(field, JSON.stringify(r.error.value), r.error.what, r.error.fix)); return 0 }
  return cpusOf(r.cpus)[0] ?? 0
}
