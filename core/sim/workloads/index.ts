// The workload registry: one case per workload kind. A new workload is a file here, a case below and a variant in
// the profile schema (core/profile/profile-schema.ts) and in setup.ts's workloadSpec().
import type { GuestOps } from './guest-ops.ts'
import type { WorkloadSpec } from '../model-inputs.ts'
import type { GuestWorkload } from './workload.ts'
import { RedisWorkload } from './redis.ts'
import { ForkJoinWorkload } from './fork-join.ts'
import { PingPongWorkload } from './ping-pong.ts'
import { PipePingPongWorkload } from './pipe-ping-pong.ts'
import { TimerWorkload } from './timer.ts'
import { HackbenchWorkload } from './hackbench.ts'
import { VmexitWorkload } from './vmexit.ts'
import { TscdeadlineLatencyWorkload } from './tscdeadline-latency.ts'
import { IpiBroadcastWorkload } from './ipi-broadcast.ts'
import { IdleGuestWorkload } from './idle-guest.ts'
import { EbizzyWorkload } from './ebizzy.ts'

export function createWorkload(m: GuestOps, v: number, spec: WorkloadSpec): GuestWorkload {
  switch (spec.kind) {
    case 'redis': return new RedisWorkload(m, v, spec)
    case 'fork-join': return new ForkJoinWorkload(m, v, spec)
    case 'ping-pong': return spec.transport === 'pipe' ? new PipePingPongWorkload(m, v, spec) : new PingPongWorkload(m, v, spec)
    case 'timer': return new TimerWorkload(m, v, spec)
    case 'hackbench': return new HackbenchWorkload(m, v, spec)
    case 'vmexit': return new VmexitWorkload(m, v, spec)
    case 'tscdeadline-latency': return new TscdeadlineLatencyWorkload(m, v, spec)
    case 'ipi-broadcast': return new IpiBroadcastWorkload(m, v, spec)
    case 'idle': return new IdleGuestWorkload(m, v)
    case 'ebizzy': return new EbizzyWorkload(m, v, spec)
  }
}
