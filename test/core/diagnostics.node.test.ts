// Each diagnostic of core/topology/diagnostics.ts: raised on the mistake, silent on the fix, with the severity
// its rule gives (errors are what a run refuses).
import { describe, expect, it } from 'vitest'
import { loadProfile } from '../../core/profile/load-profile.ts'
import type { Profile } from '../../core/profile/profile-schema.ts'
import { diagnoseProfile, profileErrors } from '../../core/topology/diagnostics.ts'
import type { DiagnosticCode, ProfileDiagnostic } from '../../core/topology/diagnostics.ts'
import { runConfiguration } from '../../core/sim/run-configuration.ts'

// 2 sockets × 4 cores × 2 threads: CPUs 0-7 first threads, 8-15 siblings (0 and 8 share a core).
// Housekeeping: core 0 of each socket (0, 8, 4, 12); isolated: the rest.
const ISOLATED = '1-3,5-7,9-11,13-15'
const baseHost = { topology: { sockets: 2, coresPerSocket: 4, threadsPerCore: 2 }, kernel: { cmdline: { nohzFull: ISOLATED, isolcpus: `managed_irq,domain,${ISOLATED}`, rcuNocbs: ISOLATED, irqaffinity: '0,4,8,12' } } }
const goodVm = { name: 'a', vcpus: 2, pinning: { vcpupin: ['1', '9'], emulatorpin: '0,8', iothreadpin: '0,8' } }

function profile(patch: { host?: Record<string, unknown>; vms?: unknown[]; configurations?: unknown[] } = {}): Profile {
  const host = { ...baseHost, ...patch.host, kernel: { ...baseHost.kernel, ...(patch.host?.kernel as object | undefined) } }
  const r = loadProfile({ schemaVersion: 1, host, vms: patch.vms ?? [goodVm], ...(patch.configurations ? { configurations: patch.configurations } : {}) })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}
const cmdline = (c: Record<string, string>): { host: Record<string, unknown> } => ({ host: { kernel: { cmdline: { ...baseHost.kernel.cmdline, ...c } } } })
const codes = (p: Profile): DiagnosticCode[] => diagnoseProfile(p).map((d) => d.code)
const one = (p: Profile, code: DiagnosticCode): ProfileDiagnostic => {
  const d = diagnoseProfile(p).find((x) => x.code === code)
  if (!d) throw new Error(`no ${code} in ${JSON.stringify(diagnoseProfile(p))}`)
  return d
}

describe('a well-partitioned host', () => {
  it('has no diagnostics', () => {
    expect(diagnoseProfile(profile())).toEqual([])
  })
})

describe('emulator or I/O threads on isolated CPUs', () => {
  it('warns, naming the CPUs and the field', () => {
    const d = one(profile({ vms: [{ ...goodVm, pinning: { ...goodVm.pinning, emulatorpin: '0,2' } }] }), 'emulator-on-isolated')
    expect(d).toMatchObject({ severity: 'warning', path: 'vms[0].pinning.emulatorpin', cpus: [2] })
    expect(d.message).toContain('a: the emulator thread is pinned to isolated CPUs 2')
    const io = one(profile({ vms: [{ ...goodVm, pinning: { ...goodVm.pinning, iothreadpin: '3' } }] }), 'iothread-on-isolated')
    expect(io).toMatchObject({ severity: 'warning', path: 'vms[0].pinning.iothreadpin', cpus: [3] })
  })
})

describe('overcommit', () => {
  it('warns when a VM\'s vCPUs have fewer CPUs than vCPUs', () => {
    const d = one(profile({ vms: [{ ...goodVm, vcpus: 3, pinning: { ...goodVm.pinning, vcpupin: ['1', '1-2', '2'] } }] }), 'overcommit')
    expect(d.severity).toBe('warning')
    expect(d.message).toContain('3 vCPUs may run on only 2 CPUs (1-2)')
  })
  it('warns when two VMs pin a vCPU to the same CPU', () => {
    const p = profile({ vms: [goodVm, { name: 'b', vcpus: 1, pinning: { vcpupin: ['1'], emulatorpin: '4', iothreadpin: '4' } }] })
    expect(diagnoseProfile(p).find((d) => d.code === 'overcommit')?.message).toBe('CPU 1 runs a vCPU 0 and b vCPU 0: they share one CPU (overcommit)')
  })
})

describe('floating vCPUs on an isolcpus= host', () => {
  it('warns that they only run on the housekeeping CPUs', () => {
    const d = one(profile({ vms: [{ ...goodVm, pinning: { ...goodVm.pinning, vcpupin: ['1'] } }] }), 'floating-vcpu-isolcpus')
    expect(d).toMatchObject({ severity: 'warning', path: 'vms[0].pinning.vcpupin' })
    expect(d.message).toBe('a: vCPU 1 floats on an isolcpus= host: it can only run on its 4 housekeeping CPUs')
  })
  it('is silent on a host with nohz_full= but no isolcpus=', () => {
    const p = profile({ ...cmdline({ isolcpus: '' }), vms: [{ ...goodVm, pinning: { ...goodVm.pinning, vcpupin: ['1'] } }] })
    expect(codes(p)).not.toContain('floating-vcpu-isolcpus')
  })
})

describe('the boot CPU in nohz_full=', () => {
  it('warns (the kernel clears it, it does not refuse the parameter)', () => {
    const p = profile(cmdline({ nohzFull: `0,${ISOLATED}`, rcuNocbs: `0,${ISOLATED}` }))
    const d = one(p, 'boot-cpu-nohz-full')
    expect(d).toMatchObject({ severity: 'warning', path: 'host.kernel.cmdline.nohzFull', cpus: [0] })
    expect(d.message).toContain('tick_nohz_init()')
    expect(profileErrors(p)).toEqual([])
  })
  it('also through isolcpus=nohz', () => {
    expect(codes(profile(cmdline({ nohzFull: '', isolcpus: `nohz,domain,0,${ISOLATED}` })))).toContain('boot-cpu-nohz-full')
  })
})

describe('irqaffinity= overlapping the isolated set', () => {
  it('warns with the isolated CPUs it includes', () => {
    const d = one(profile(cmdline({ irqaffinity: '0-3' })), 'irqaffinity-isolated')
    expect(d).toMatchObject({ severity: 'warning', cpus: [1, 2, 3] })
  })
})

describe('a socket without a housekeeping CPU', () => {
  it('warns naming the socket', () => {
    const iso = '1-7,9-15'
    const p = profile({ ...cmdline({ nohzFull: iso, isolcpus: `managed_irq,domain,${iso}`, rcuNocbs: iso, irqaffinity: '0,8' }), vms: [{ ...goodVm, pinning: { vcpupin: ['1', '9'], emulatorpin: '0', iothreadpin: '0' } }] })
    expect(one(p, 'socket-without-housekeeping').message).toBe('socket 1 has no housekeeping CPU: its kernel work crosses sockets')
  })
})

describe('housekeeping and isolated sets not covering every CPU', () => {
  it('warns about CPUs in only one of nohz_full= and isolcpus=', () => {
    const p = profile(cmdline({ isolcpus: 'managed_irq,domain,1-3,5-7,9-11' }))
    const d = one(p, 'partial-isolation')
    expect(d).toMatchObject({ severity: 'warning', cpus: [13, 14, 15] })
  })
})

describe('pins a run refuses', () => {
  it('are errors: a CPU the host lacks, a list that selects none, more vcpupin entries than vCPUs', () => {
    const outside = profile({ vms: [{ ...goodVm, pinning: { ...goodVm.pinning, vcpupin: ['1', '99'] } }] })
    expect(one(outside, 'pin-invalid')).toMatchObject({ severity: 'error', path: 'vms[0].pinning.vcpupin[1]' })
    const none = profile({ vms: [{ ...goodVm, pinning: { ...goodVm.pinning, emulatorpin: '0,^0' } }] })
    expect(one(none, 'pin-invalid').message).toContain('selects no CPU')
    const extra = profile({ vms: [{ ...goodVm, pinning: { ...goodVm.pinning, vcpupin: ['1', '9', '2'] } }] })
    expect(one(extra, 'pin-invalid').path).toBe('vms[0].pinning.vcpupin')
  })
  it('the run refuses exactly these', () => {
    const outside = profile({ vms: [{ ...goodVm, pinning: { ...goodVm.pinning, vcpupin: ['1', '99'] } }] })
    expect(() => runConfiguration(outside, 'base', { seed: 1, durationSec: 0.001 })).toThrow(/vcpupin/)
  })
  it('names the configurations an error stands in', () => {
    const p = profile({ configurations: [{ name: 'base', overrides: {} }, { name: 'bad', overrides: { vms: { a: { pinning: { emulatorpin: '64' } } } } }] })
    const errs = profileErrors(p)
    expect(errs).toHaveLength(1)
    expect(errs[0]).toMatchObject({ code: 'pin-invalid', configs: ['bad'] })
  })
})

describe('a cmdline the run refuses', () => {
  it('is an error naming the parameter', () => {
    const d = one(profile(cmdline({ rcuNocbs: '1-99' })), 'cmdline-invalid')
    expect(d).toMatchObject({ severity: 'error', path: 'host.kernel.cmdline.rcuNocbs' })
  })
})

describe('a parameter the kernel ignores', () => {
  it('warns with the kernel\'s reason (nohz_full= not matching the isolcpus= list), and does not block', () => {
    const p = profile(cmdline({ nohzFull: '1-3', isolcpus: `nohz,domain,${ISOLATED}` }))
    const d = one(p, 'cmdline-ignored')
    expect(d.severity).toBe('warning')
    expect(d.message).toContain('nohz_full= must match isolcpus=')
    expect(profileErrors(p)).toEqual([])
  })
})

describe('a topology the run cannot build', () => {
  it('is an error naming the field (a configuration override can make one)', () => {
    const p = profile({ configurations: [{ name: 'base', overrides: {} }, { name: 'snc3', overrides: { host: { topology: { numaNodesPerSocket: 3 } } } }] })
    expect(profileErrors(p)).toMatchObject([{ code: 'topology-invalid', path: 'host.topology.numaNodesPerSocket', configs: ['snc3'] }])
  })
})

describe('the map\'s layout warnings', () => {
  it('vCPU on a housekeeping CPU, SMT siblings shared between VMs, vCPUs across NUMA nodes', () => {
    const p = profile({ vms: [{ ...goodVm, pinning: { ...goodVm.pinning, vcpupin: ['0', '5'] } }, { name: 'b', vcpus: 1, pinning: { vcpupin: ['13'], emulatorpin: '0', iothreadpin: '0' } }] })
    const c = codes(p)
    expect(c).toContain('vcpu-on-housekeeping')
    expect(c).toContain('smt-shared')
    expect(c).toContain('vcpus-across-numa')
  })
})
