// What kernel/sched/isolation.c (and its neighbours) do at boot, by kernel version. Each gate names
// the upstream commit that changed the behaviour; versions are the first mainline release with it.
import { atLeast } from '../kernel-version.ts'
import type { KernelVersion } from '../kernel-version.ts'

export interface IsolationFeatures {
  version: KernelVersion
  /** isolation.c exists (v4.15, Frederic Weisbecker); older kernels are modelled with v4.15 rules. */
  predatesIsolation: boolean
  /** isolcpus=managed_irq, HK_FLAG_MANAGED_IRQ: 11ea68f553e2 "genirq, sched/isolation: Isolate from handling managed interrupts" (v5.6). */
  managedIrq: boolean
  /** Unknown isolcpus= flags are skipped instead of dropping the parameter: 3662daf02350 (Peter Xu, v5.7). */
  skipUnknownFlags: boolean
  /** nohz_full= also sets HK_FLAG_KTHREAD: 9cc5b8656892 "isolcpus: Affine unbound kernel threads to housekeeping cpus" (v5.9). */
  kthread: boolean
  /** One cpumask per type; a second nohz_full=/isolcpus= must only match on shared types: ed3b362d54f0 (v5.18). */
  perTypeMasks: boolean
  /** A parameter that leaves no non-housekeeping CPU is ignored: 257bf89d8412 (Oleg Nesterov, v6.9). */
  ignoreEmpty: boolean
  /** HK_TYPE_KERNEL_NOISE with TICK/TIMER/RCU/MISC/WQ/KTHREAD aliased to it, isolcpus=nohz ≡ nohz_full,
   *  HK_TYPE_SCHED removed: 6010d245ddc9 and its series (Waiman Long; tip sched/core Dec 2024, v6.14). */
  kernelNoise: boolean
  /** A second parameter is ignored if nohz_full= and isolcpus=domain leave no common housekeeping CPU:
   *  185bccc79797 (Gabriele Monaco; tip timers/core Nov 2025, v6.19). */
  timerMigrationCheck: boolean
  /** HK_TYPE_DOMAIN_BOOT, and HK_TYPE_KTHREAD aliased to HK_TYPE_DOMAIN (kthread-for-7.0 series and its
   *  "HK_TYPE_KTHREAD is now an alias of HK_TYPE_DOMAIN" fix, v7.0). */
  kthreadFollowsDomain: boolean
}

export function isolationFeatures(v: KernelVersion): IsolationFeatures {
  return {
    version: v,
    predatesIsolation: !atLeast(v, '4.15'),
    managedIrq: atLeast(v, '5.6'),
    skipUnknownFlags: atLeast(v, '5.7'),
    kthread: atLeast(v, '5.9'),
    perTypeMasks: atLeast(v, '5.18'),
    ignoreEmpty: atLeast(v, '6.9'),
    kernelNoise: atLeast(v, '6.14'),
    timerMigrationCheck: atLeast(v, '6.19'),
    kthreadFollowsDomain: atLeast(v, '7.0'),
  }
}
