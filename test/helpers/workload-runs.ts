// A small pinned guest for the workload tests of the core: a 16-core Skylake-SP host on Linux 6.8 with the vCPUs'
// CPUs (4-7) in nohz_full, a 4-vCPU VM pinned 1:1 with its vhost worker on CPU 1, and the workload and
// configurations a test gives. Runs the real core (loadProfile + runConfiguration).
import { loadProfile, runConfiguration } from '../../core/index.ts'
import type { ConfigResult } from '../../core/index.ts'
import { formatIssue } from '../../core/schema/schema.ts'

export function workloadProfile(workload: Record<string, unknown>, configurations: Record<string, Record<string, unknown>>, vm: Record<string, unknown> = {}): unknown {
  return {
    schemaVersion: 1,
    name: 'workload test',
    host: {
      cpu: 'skylake-sp',
      topology: { sockets: 1, coresPerSocket: 16, threadsPerCore: 2 },
      kernel: { version: '6.8', cmdline: { nohzFull: '2-15,18-31', rcuNocbs: '2-15,18-31' } },
    },
    vms: [{ name: 'vm', vcpus: 4, pinning: { vcpupin: ['4', '5', '6', '7'], emulatorpin: '0', iothreadpin: '1' }, ...vm, workload }],
    run: { durationSec: 0.1, warmupSec: 0.02, seed: 1 },
    configurations: Object.entries(configurations).map(([name, overrides]) => ({ name, overrides })),
  }
}

/** Runs the named configurations of a profile (all of them by default) for `durationSec` of virtual time. */
export function runAll(profile: unknown, durationSec: number, opts: { seed?: number; names?: string[] } = {}): Record<string, ConfigResult> {
  const r = loadProfile(profile)
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'))
  const out: Record<string, ConfigResult> = {}
  for (const c of r.profile.configurations) {
    if (opts.names && !opts.names.includes(c.name)) continue
    out[c.name] = runConfiguration(r.profile, c.name, { durationSec, seed: opts.seed })
  }
  return out
}

/** The result as JSON without its wall-clock time (the one field that differs between identical runs). */
export function resultJson(r: ConfigResult): string {
  return JSON.stringify({ ...r, wallMs: 0 })
}

/** One configuration run again (with another seed if given), as resultJson(): the determinism check. */
export function rerunJson(profile: unknown, durationSec: number, name: string, seed?: number): string {
  return resultJson(runAll(profile, durationSec, { names: [name], seed })[name]!)
}

/** Exits of a reason in the VM, and of one of its causes. */
export function exits(r: ConfigResult, reason: string, cause?: string): number {
  const row = r.vms[0]!.exits.find((e) => e.reason === reason)
  if (!row) return 0
  return cause === undefined ? row.count : row.causes[cause] ?? 0
}
