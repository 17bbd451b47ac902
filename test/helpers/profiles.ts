// Small profiles for tests that run the real core in real workers: short virtual durations keep them fast.

/** A valid profile with the given configurations (every other field takes its default). */
export function tinyProfile(configs: string[] = ['base', 'tuned'], durationSec = 0.02): Record<string, unknown> {
  return {
    schemaVersion: 1,
    name: 'tiny test profile',
    description: 'A profile for tests. It runs quickly.',
    run: { durationSec, warmupSec: 0.005, seed: 11 },
    configurations: configs.map((name, i) => ({
      name,
      description: `configuration ${name}`,
      overrides: i % 2 === 1 ? { host: { kvm: { haltPoll: { haltPollNs: 0 } } } } : {},
    })),
  }
}

/** A result without its wall-clock time, the one field that differs between identical runs. */
export function withoutWallTime<T extends { wallMs: number }>(r: T): Omit<T, 'wallMs'> {
  const { wallMs: _w, ...rest } = r
  return rest
}

/** True when a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
