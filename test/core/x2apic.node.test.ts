// The guest's APIC driver (core/guest/x2apic.ts): which of x2apic_phys / x2apic_cluster a guest probes per interrupt
// remapping, boot parameter, version and APIC IDs, QEMU's APIC IDs per topology, and — on the real core — that a
// 16-target multicast in cluster mode makes fewer ICR-write exits than in physical mode.
import { describe, it, expect, beforeAll } from 'vitest'
import type { ConfigResult } from '../../core/index.ts'
import { apicDriver, apicIdOf, x2apicClusterOf } from '../../core/guest/x2apic.ts'
import type { ApicDriverInputs } from '../../core/guest/x2apic.ts'
import { workloadProfile, runAll, exits } from '../helpers/workload-runs.ts'

const inp = (o: Partial<ApicDriverInputs> = {}): ApicDriverInputs => ({ x2apic: true, interruptRemapping: false, x2apicPhysParam: false, guestVersion: '6.8', maxApicId: 63, ...o })

describe('try_to_enable_x2apic() / x2apic_phys_probe() / x2apic_cluster_probe(): apicDriver()', () => {
  it('without interrupt remapping a KVM guest is forced into physical mode (x2apic_phys = 1)', () => {
    expect(apicDriver(inp()).driver).toBe('x2apic_phys')
    expect(apicDriver(inp({ guestVersion: '4.19' })).driver).toBe('x2apic_phys')
  })
  it('with interrupt remapping the cluster driver wins, unless the guest boots with x2apic_phys', () => {
    expect(apicDriver(inp({ interruptRemapping: true })).driver).toBe('x2apic_cluster')
    expect(apicDriver(inp({ interruptRemapping: true, guestVersion: '4.19' })).driver).toBe('x2apic_cluster')
    expect(apicDriver(inp({ interruptRemapping: true, x2apicPhysParam: true })).driver).toBe('x2apic_phys')
  })
  it('no x2APIC in the CPUID: xAPIC; no remapping and an APIC ID above 255: x2APIC given up before 5.10, kept from 5.10', () => {
    expect(apicDriver(inp({ x2apic: false, interruptRemapping: true })).driver).toBe('xapic')
    expect(apicDriver(inp({ maxApicId: 300, guestVersion: '5.9' })).driver).toBe('xapic')
    expect(apicDriver(inp({ maxApicId: 300, guestVersion: '5.10' })).driver).toBe('x2apic_phys')
    expect(apicDriver(inp({ maxApicId: 300, guestVersion: '5.9', interruptRemapping: true })).driver).toBe('x2apic_cluster')
  })
})

describe('QEMU x86_apicid_from_cpu_idx() and init_x2apic_ldr() clusters', () => {
  it('packs thread, core and socket in power-of-two fields: 2 sockets of 40 cores give 0–39 and 64–103', () => {
    const topo = { sockets: 2, cores: 40, threads: 1 }
    expect(apicIdOf(39, topo)).toBe(39)
    expect(apicIdOf(40, topo)).toBe(64)
    expect(apicIdOf(79, topo)).toBe(103)
    expect(apicIdOf(3, { sockets: 1, cores: 2, threads: 2 })).toBe(3)
    expect(apicIdOf(5, { sockets: 2, cores: 3, threads: 1 })).toBe(6)
  })
  it('a cluster is 16 consecutive APIC IDs', () => {
    expect(x2apicClusterOf(15)).toBe(0)
    expect(x2apicClusterOf(16)).toBe(1)
    expect(x2apicClusterOf(64)).toBe(4)
  })
})

describe('a 16-target flush in the model: cluster mode makes fewer ICR-write exits than physical mode', () => {
  // ipi-broadcast from vCPU 0 to the 16 others of a 17-vCPU guest (APIC IDs 0–16: the targets are cluster 0's IDs
  // 1–15 and cluster 1's ID 16); PV IPI off, so every send is an x2APIC ICR write
  const vcpus = 17
  const cpus = Array.from({ length: vcpus }, (_, i) => String(i + 4))
  const vm = { vcpus, guestTopology: { sockets: 1, cores: vcpus, threads: 1 }, pinning: { vcpupin: cpus, emulatorpin: '0', iothreadpin: '1' }, kvm: { pv: { pvIpi: false } } }
  const profile = workloadProfile({ kind: 'ipi-broadcast' }, {
    physical: {},
    cluster: { vm: { kvm: { interruptRemapping: true } } },
  }, vm)
  const DURATION = 0.05
  let res: Record<string, ConfigResult>
  beforeAll(() => {
    const p = profile as { host: { topology: { coresPerSocket: number } } }
    p.host.topology.coresPerSocket = 24
    res = runAll(profile, DURATION)
  })

  it('physical: 16 ICR-write exits a call; cluster: 2, and a shorter call', () => {
    const calls = (c: string): number => res[c]!.vms[0]!.workload.throughputPerSec * DURATION
    const perCall = (c: string): number => exits(res[c]!, 'MSR_WRITE', 'x2APIC ICR write (guest IPI)') / calls(c)
    expect(perCall('physical')).toBeGreaterThan(15.5)
    expect(perCall('physical')).toBeLessThan(16.5)
    expect(perCall('cluster')).toBeGreaterThan(1.9)
    expect(perCall('cluster')).toBeLessThan(2.5)
    expect(res.cluster!.vms[0]!.workload.throughputPerSec).toBeGreaterThan(res.physical!.vms[0]!.workload.throughputPerSec)
    expect(res.cluster!.vms[0]!.decisions.find((d) => d.id === 'apic-driver')!.value).toBe('x2apic_cluster')
    expect(res.physical!.vms[0]!.decisions.find((d) => d.id === 'apic-driver')!.value).toBe('x2apic_phys')
  })
})
