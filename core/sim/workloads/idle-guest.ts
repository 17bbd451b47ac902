// An idle guest (model.md §3): no task of its own — only the guest kernel's housekeeping runs on its vCPUs: the tick
// (periodic, or stopped in idle), the background timers (vmstat, RCU, writeback, watchdogs:
// guest.backgroundTimersPerSec) and their TSC-deadline writes, each waking the vCPU from idle. What the vCPUs' pCPUs
// do meanwhile — HLT exits, host halt polling, C-states, HLT or MWAIT in guest mode — is the model's; the result is
// their busy share, as turbostat's Busy% (%c0) of those pCPUs shows it (the figure aca6ff29c406 published for an idle
// 250 Hz guest); polling in guest idle (idle=poll, cpuidle-haltpoll) is busy too — the pCPU stays in C0. Simplifications: RCU callbacks and softirqs are part of the background timers' handler time.
import { GuestWorkload, BenchmarkPrintout } from './workload.ts'
import type { WorkloadReportContext } from './workload.ts'
import type { WorkloadBenchmark } from '../../result.ts'

export class IdleGuestWorkload extends GuestWorkload {
  readonly kind = 'idle'
  readonly unit = 'none'

  start(): void {}

  /** turbostat-like: the busy share of the vCPUs' pCPUs. */
  override benchmark(ctx: WorkloadReportContext): WorkloadBenchmark {
    return new BenchmarkPrintout().printed('busy %', '%', Math.round(ctx.pcpuBusyShare * 100000) / 1000, 'vCPU pCPUs Busy%% (%%c0): %.3f')
  }
}
