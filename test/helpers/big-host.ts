// A 256-CPU host for the topology editor's readability and responsiveness checks (screenshots, bench):
// 2 sockets × 64 cores × 2 threads, 2 NUMA nodes and 8 LLC groups (CCXs) per socket, Linux numbering
// (CPUs 0-127 the first threads, 128-255 their siblings), 8 dedicated VMs of 8 vCPUs pinned 1:1.

export interface BigHostOptions { configurations?: number; durationSec?: number; vms?: number }

export const BIG_HOST_HOUSEKEEPING = '0-1,64-65,128-129,192-193'
export const BIG_HOST_ISOLATED = '2-63,66-127,130-191,194-255'

export function bigHostProfile(o: BigHostOptions = {}): Record<string, unknown> {
  const nVms = o.vms ?? 8
  const vms = Array.from({ length: nVms }, (_, i) => {
    const socket = i % 2
    const slot = Math.floor(i / 2)
    // two VMs per NUMA node (32 cores each), clear of the housekeeping cores
    const first = socket * 64 + ([4, 16, 36, 48][slot] ?? 4)
    return {
      name: `vm-${i}`,
      vcpus: 8,
      guestTopology: { sockets: 1, cores: 8, threads: 1 },
      pinning: {
        vcpupin: Array.from({ length: 8 }, (_, v) => String(first + v)),
        emulatorpin: socket === 0 ? '0-1,128-129' : '64-65,192-193',
        iothreadpin: socket === 0 ? '1' : '65',
      },
      kvm: { disableExits: { hlt: true, mwait: true, pause: true, cstate: true } },
      io: 'vhost-net',
    }
  })
  const configs = o.configurations ?? 4
  const variants = [
    { name: 'baseline', description: 'As tuned.', overrides: {} },
    { name: 'pi-timer-off', description: 'pi_inject_timer=0.', overrides: { host: { kvm: { piInjectTimer: 0 } } } },
    { name: 'no-halt-poll', description: 'halt_poll_ns=0.', overrides: { host: { kvm: { haltPoll: { haltPollNs: 0 } } } } },
    { name: 'hz-250', description: 'A 250 Hz host.', overrides: { host: { kernel: { hz: 250 } } } },
  ]
  return {
    schemaVersion: 1,
    name: 'big-host-256',
    description: '2 × 64-core SMT-2 sockets (256 logical CPUs), 8 dedicated VMs pinned 1:1 to nohz_full CPUs.',
    host: {
      cpu: 'milan',
      topology: { sockets: 2, coresPerSocket: 64, threadsPerCore: 2, numaNodesPerSocket: 2, llcPerSocket: 8 },
      kernel: { version: '6.8', hz: 1000, cmdline: { nohzFull: BIG_HOST_ISOLATED, rcuNocbs: BIG_HOST_ISOLATED, irqaffinity: BIG_HOST_HOUSEKEEPING } },
    },
    vms,
    run: { durationSec: o.durationSec ?? 0.2, warmupSec: 0.01, seed: 7 },
    configurations: variants.slice(0, Math.max(1, Math.min(variants.length, configs))),
  }
}
