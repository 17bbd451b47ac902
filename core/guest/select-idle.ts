// Guest wake-up placement (kernel/sched/fair.c select_task_rq_fair() → wake_affine_idle() → select_idle_sibling() →
// select_idle_cpu()), in outline, over the guest topology. Allocation-free: per-vCPU state comes in as Uint8Array
// (1 = true) and the chosen vCPU is returned as a number.
// Simplifications (one line each):
// - no wake_affine_weight(): when prev is not available the waker's vCPU is the target (always wake-affine);
// - no idle-core search (select_idle_core / has_idle_cores): SMT siblings are scanned like any other CPU;
// - no SIS_UTIL/SIS_PROP scan-depth limit: the whole LLC is scanned;
// - no recent_used_cpu, sched_idle_cpu(), asymmetric capacity, or cpus_ptr affinity (every vCPU is allowed);
// - the LLC is the guest socket unless vcpusPerLlc says otherwise; vCPU ids are numbered socket-major as QEMU does.
import { availableIdleCpu } from './vcpu-is-preempted.ts'

export interface GuestTopology {
  sockets: number
  cores: number
  threads: number
  /** vCPUs sharing one LLC (sched domain with SD_SHARE_PKG_RESOURCES); default cores × threads (one LLC per socket). */
  vcpusPerLlc?: number
}

function llcSize(t: GuestTopology): number {
  return t.vcpusPerLlc ?? t.cores * t.threads
}

/** The first vCPU of v's LLC domain (per_cpu(sd_llc_id, v)). */
export function llcFirst(v: number, t: GuestTopology): number {
  const n = llcSize(t)
  return v - (v % n)
}

/** cpus_share_cache(a, b). */
export function sharesLlc(a: number, b: number, t: GuestTopology): boolean {
  return llcFirst(a, t) === llcFirst(b, t)
}

function avail(v: number, idle: Uint8Array, preempted: Uint8Array): boolean {
  return availableIdleCpu(idle[v] === 1, preempted[v] === 1)
}

/** select_idle_cpu(): for_each_cpu_wrap(cpu, sched_domain_span(sd_llc), target + 1) — the first
 *  available_idle_cpu() in the target's LLC, or -1. */
export function scanLlcForIdle(target: number, t: GuestTopology, idle: Uint8Array, preempted: Uint8Array): number {
  const n = Math.min(llcSize(t), t.sockets * t.cores * t.threads - llcFirst(target, t))
  const first = llcFirst(target, t)
  const off = target - first
  for (let k = 1; k <= n; k++) {
    const v = first + ((off + k) % n)
    if (avail(v, idle, preempted)) return v
  }
  return -1
}

/** The vCPU a waking task is placed on: prev if available_idle_cpu(prev) (wake_affine_idle() keeps an idle prev),
 *  else the waker's vCPU if available (select_idle_sibling() returns an idle target), else the first available idle
 *  vCPU in the waker's LLC (select_idle_cpu()), else the waker's vCPU itself (the task queues behind the waker).
 *  With vcpu_is_preempted() true on a halted vCPU (host < 5.19 and the guest consulting it), idle vCPUs look busy and
 *  wake-ups pile onto the waker. */
export function selectIdleSibling(waker: number, prev: number, t: GuestTopology, idle: Uint8Array, preempted: Uint8Array): number {
  if (prev >= 0 && avail(prev, idle, preempted)) return prev
  if (avail(waker, idle, preempted)) return waker
  const i = scanLlcForIdle(waker, t, idle, preempted)
  return i >= 0 ? i : waker
}
