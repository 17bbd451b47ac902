// The bare HostModel of one configuration, for the counters a scenario test reads that the result JSON does not
// carry (csd waits, mutex spins, scheduler counters). The same set-up as runConfiguration(), one replication.
import { resolveConfiguration, loadProfile } from '../../core/index.ts'
import type { Profile } from '../../core/index.ts'
import { EXIT_REASON_COUNT } from '../../core/output/exit-names.ts'
import type { ExitReasonId } from '../../core/output/exit-names.ts'
import { HostModel } from '../../core/sim/host-model.ts'
import { setupModel } from '../../core/sim/setup.ts'

/** The model of `config`, set up and started at time 0. */
export function startedModel(p: Profile, config: string, durationSec: number, o: { seed?: number; checking?: boolean } = {}): HostModel {
  const s = setupModel(resolveConfiguration(p, config), o.seed ?? 1, durationSec)
  if (!s.ok) throw new Error(JSON.stringify(s.issues))
  const m = new HostModel(s.inputs, { checking: o.checking === true })
  m.start()
  return m
}

/** The model of `config` run to its end and finished. */
export function finishedModel(p: Profile, config: string, durationSec: number, o: { seed?: number; checking?: boolean } = {}): HostModel {
  const m = startedModel(p, config, durationSec, o)
  m.engine.run({ until: m.endNs })
  m.finish()
  return m
}

/** Exits of `reason` in VM `vm`, over all their causes. */
export function vmExitCount(m: HostModel, vm: number, reason: ExitReasonId): number {
  const C = m.stats.nCauses
  let n = 0
  for (let k = 0; k < C; k++) n += m.stats.causeCounts[(vm * EXIT_REASON_COUNT + reason) * C + k]!
  return n
}

/** An 8-vCPU guest whose vCPUs float over pCPUs 0-3 of an 8-core Skylake-SP host (two vCPUs per pCPU): the
 *  overcommitted set-up of the scheduler and directed-yield tests. */
export function floatingGuest(o: { name: string; hostVersion: string; guest: Record<string, unknown>; workload: Record<string, unknown>; durationSec: number; warmupSec: number }): Profile {
  const r = loadProfile({
    schemaVersion: 1,
    name: o.name,
    host: { cpu: 'skylake-sp', topology: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }, kernel: { version: o.hostVersion, hz: 1000, cmdline: {} } },
    vms: [{
      name: 'vm', vcpus: 8, guestTopology: { sockets: 1, cores: 8, threads: 1 }, pinning: { vcpupin: Array(8).fill('0-3'), emulatorpin: '0-3', iothreadpin: '0' },
      guest: o.guest, workload: o.workload,
    }],
    run: { durationSec: o.durationSec, warmupSec: o.warmupSec, seed: 1 },
  })
  if (!r.ok) throw new Error(JSON.stringify(r.issues))
  return r.profile
}
