// The host's select_idle_sibling(p, prev, target) (kernel/sched/fair.c) for core/host/wake-affine.ts: the target if
// idle, the previous CPU if idle and cache-affine, else a search of the target's LLC (sd_llc), else the target.
// Allocation-free after construction (typed arrays: the LLCs' and cores' CPUs in ascending order, a scan stamp per core).
// CPU order is the kernel's: cpumask order over sched_domain_span(sd_llc) from the target, wrapping (for_each_cpu_wrap()),
// not the thread's mask order.
//
// Version boundaries (host kernel):
//  - < 4.9: the group walk of sd_llc and below (for_each_lower_domain()): the LLC domain's groups are its cores (single
//    CPUs without SMT) in a ring ordered by first CPU, entered at the target's own; the first group not holding the
//    target whose CPUs are all idle and which meets p's mask gives its first allowed CPU (cpumask_first_and()); else
//    the SMT domain's one-CPU groups from the target: the first idle allowed sibling. No idle CPU of a partly busy
//    core is ever taken.
//  - 4.9 10e2f1acd010 "sched/core: Rewrite and improve select_idle_siblings()" (4.9-rc1): select_idle_core() (with SMT:
//    for_each_cpu_wrap(core, span ∩ p's mask, target), the first CPU met of a core whose SMT siblings are all idle —
//    every sibling, allowed or not), then select_idle_cpu() (the first idle allowed CPU from the target, wrapping),
//    then select_idle_smt(target) (the target's idle allowed siblings, ascending). 5.10 df3cb4ea1fb6 (5.10-rc1) keeps
//    select_idle_smt() to sd_llc's span (isolcpus=domain siblings).
//  - 5.12 9fe1f127b913 "sched/fair: Merge select_idle_core/cpu()" (5.12-rc1) with 6cd56ef1df39 (select_idle_smt()
//    removed) and c722f35b513f "sched/fair: Bring back select_idle_smt(), but differently" (5.12-rc7): with SMT and no
//    idle core (has_idle_cores) select_idle_smt(prev) — prev's idle allowed siblings in the span — when prev shares the
//    target's cache; then one select_idle_cpu() loop: with an idle core, select_idle_core() per core met (a wholly idle
//    core's CPU met first; else, the scan failing, the first idle allowed sibling of the first core met that had one),
//    else the first idle allowed CPU. 5.15 56498cfb045d "sched/fair: Avoid a second scan of target in
//    select_idle_cpu" (tip 2021-08-04, 5.15 merge window): the loop starts at target + 1. 6.9 23d04d8c6b8e (6.9-rc1):
//    select_idle_core()'s fallback CPU must be in the span, not only in p's mask.
// Releases: 10e2f1acd010, 9fe1f127b913, c722f35b513f, 23d04d8c6b8e and df3cb4ea1fb6 from their -rc tags as quoted in
// fix commits and patch indexes; 56498cfb045d from its tip date and the 5.15 sched pull — no kernel tree was at hand.
// No modelled host is 5.11–5.14, so the 5.12 / 5.15 boundaries move no profile.
// Simplifications: has_idle_cores (sd_llc_shared) is computed exactly at the wake-up — some core of the LLC with all
// its SMT siblings idle — instead of the cached hint __update_idle_core() sets when a CPU goes idle and a failed scan
// clears (the hint can lag: a failed scan restricted by p's mask clears it while another thread's idle core remains).
// Before 5.12 the hint only decides whether select_idle_core() runs, and a failed core scan falls through to
// select_idle_cpu(), so the result is the same. sched_smt_present: some core has two CPUs. Not modelled (commit
// releases not verified): SIS_AVG_CPU (4.9: select_idle_cpu() skipped when avg_idle / 512 < avg_scan_cost) and SIS_PROP
// (1ad3aaf3fcd2, ≈4.11: the CPU scan bounded by rq->avg_idle / sd->avg_scan_cost — the model keeps neither), SIS_UTIL
// (70fb5ccf2ebb, ≈6.0: the bound from the LLC's PELT utilisation — no PELT), recent_used_cpu (32e839dda3ba, ≈4.16:
// needs `current` of every wake-up, which interrupt wake-ups do not give), the per-CPU kthread stacking, sched_idle_cpu()
// (no SCHED_IDLE host threads), core scheduling's cookie match, clusters (SD_CLUSTER), asymmetric capacity, and the
// 3e6efe87cd5c – 8aeaffef8c6e window in which select_idle_smt(prev) did not test the span (isolcpus siblings only).
import { atLeast } from '../kernel-version.ts'
import type { HostRunqueues } from './runqueues.ts'

export interface SisParams {
  /** 4.9+ (10e2f1acd010): select_idle_core() / select_idle_cpu() / select_idle_smt(); before, the group walk. */
  split: boolean
  /** 5.10+ (df3cb4ea1fb6): select_idle_smt() within sd_llc's span. */
  smtInSpan: boolean
  /** 5.12+ (9fe1f127b913, c722f35b513f): select_idle_smt(prev), then one loop over cores or CPUs. */
  merged: boolean
  /** 5.15+ (56498cfb045d): select_idle_cpu() starts at target + 1. */
  afterTarget: boolean
  /** 6.9+ (23d04d8c6b8e): select_idle_core()'s fallback idle CPU within the span. */
  fallbackInSpan: boolean
}

export function sisParams(hostVersion: string): SisParams {
  return {
    split: atLeast(hostVersion, '4.9'),
    smtInSpan: atLeast(hostVersion, '5.10'),
    merged: atLeast(hostVersion, '5.12'),
    afterTarget: atLeast(hostVersion, '5.15'),
    fallbackInSpan: atLeast(hostVersion, '6.9'),
  }
}

/** What the search reads of the host: the domain CPUs, their LLCs and cores. */
export interface SisTopology {
  nrCpus: number
  inDomain: Uint8Array
  llcOf: Int32Array
  coreOf: Int32Array
}

export class SelectIdleSibling {
  readonly p: SisParams
  private readonly dom: Uint8Array
  private readonly llcOf: Int32Array
  private readonly coreOf: Int32Array
  /** Per LLC l: its domain CPUs ascending, llcCpus[llcStart[l] .. llcStart[l + 1]). */
  private readonly llcStart: Int32Array
  private readonly llcCpus: Int32Array
  /** Per core k: all its CPUs (cpu_smt_mask()) ascending, coreCpus[coreStart[k] .. coreStart[k + 1]). */
  private readonly coreStart: Int32Array
  private readonly coreCpus: Int32Array
  /** Per core: its first domain CPU (the start of its sched group), −1 when none. */
  private readonly coreFirstDom: Int32Array
  /** Per core: the scan that took it out of the mask (cpumask_andnot(cpus, cpus, cpu_smt_mask(core))). */
  private readonly coreStamp: Int32Array
  private stamp = 0
  /** A new scan's stamp (the per-core marks restart before the counter overflows). */
  private nextStamp(): number {
    if (this.stamp >= 0x7fffffff) { this.coreStamp.fill(0); this.stamp = 0 }
    return ++this.stamp
  }
  /** sched_smt_present. */
  readonly smt: boolean

  constructor(t: SisTopology, p: SisParams) {
    this.p = p
    this.dom = t.inDomain
    this.llcOf = t.llcOf
    this.coreOf = t.coreOf
    const n = t.nrCpus
    let nLlc = 0
    let nCore = 0
    for (let c = 0; c < n; c++) {
      nLlc = Math.max(nLlc, t.llcOf[c]! + 1)
      nCore = Math.max(nCore, t.coreOf[c]! + 1)
    }
    this.llcStart = new Int32Array(nLlc + 1)
    this.coreStart = new Int32Array(nCore + 1)
    for (let c = 0; c < n; c++) {
      if (t.inDomain[c] === 1) this.llcStart[t.llcOf[c]! + 1]!++
      this.coreStart[t.coreOf[c]! + 1]!++
    }
    for (let l = 0; l < nLlc; l++) this.llcStart[l + 1]! += this.llcStart[l]!
    for (let k = 0; k < nCore; k++) this.coreStart[k + 1]! += this.coreStart[k]!
    this.llcCpus = new Int32Array(this.llcStart[nLlc]!)
    this.coreCpus = new Int32Array(n)
    this.coreFirstDom = new Int32Array(nCore).fill(-1)
    const llcFill = this.llcStart.slice(0, nLlc)
    const coreFill = this.coreStart.slice(0, nCore)
    let smt = false
    for (let c = 0; c < n; c++) {
      const k = t.coreOf[c]!
      if (t.inDomain[c] === 1) {
        this.llcCpus[llcFill[t.llcOf[c]!]!++] = c
        if (this.coreFirstDom[k]! < 0) this.coreFirstDom[k] = c
      }
      this.coreCpus[coreFill[k]!++] = c
      if (this.coreStart[k + 1]! - this.coreStart[k]! > 1) smt = true
    }
    this.smt = smt
    this.coreStamp = new Int32Array(nCore)
  }

  /** sd_llc_size of CPU c: the domain CPUs of its LLC; 1 off the domains (update_top_cache_domain() without an sd_llc). */
  llcSize(c: number): number {
    if (this.dom[c] !== 1) return 1
    const l = this.llcOf[c]!
    return this.llcStart[l + 1]! - this.llcStart[l]!
  }

  /** select_idle_sibling(p, prev, target) for a thread allowed on `mask`. */
  select(hrq: HostRunqueues, prev: number, target: number, mask: Uint8Array): number {
    const llcOf = this.llcOf
    if (hrq.idleCpu(target)) return target
    if (prev !== target && llcOf[prev] === llcOf[target] && mask[prev] === 1 && hrq.idleCpu(prev)) return prev
    // per_cpu(sd_llc, target): none off the domains, none for a one-CPU LLC
    const llc = llcOf[target]!
    if (this.dom[target] !== 1 || this.llcStart[llc + 1]! - this.llcStart[llc]! <= 1) return target
    let i: number
    if (!this.p.split) {
      i = this.groupWalk(hrq, target, llc, mask)
    } else if (!this.p.merged) {
      i = this.smt ? this.idleCore(hrq, target, llc, mask) : -1
      if (i < 0) i = this.idleCpu(hrq, target, llc, mask)
      if (i < 0 && this.smt) i = this.idleSmt(hrq, target, llc, mask, this.p.smtInSpan)
    } else {
      const hasIdleCore = this.smt && this.hasIdleCore(hrq, llc)
      i = -1
      if (this.smt && !hasIdleCore && this.dom[prev] === 1 && llcOf[prev] === llc) i = this.idleSmt(hrq, prev, llc, mask, true)
      if (i < 0) i = this.mergedScan(hrq, this.p.afterTarget ? target + 1 : target, llc, mask, hasIdleCore)
    }
    return i >= 0 ? i : target
  }

  /** Index in llcCpus of the first CPU ≥ `start` of the LLC (for_each_cpu_wrap()'s start), wrapping to its first. */
  private wrapStart(llc: number, start: number): number {
    const a = this.llcStart[llc]!
    const b = this.llcStart[llc + 1]!
    for (let j = a; j < b; j++) if (this.llcCpus[j]! >= start) return j - a
    return 0
  }

  /** All of core k's SMT siblings idle (available_idle_cpu() on each, allowed or not). */
  private coreIdle(hrq: HostRunqueues, k: number): boolean {
    for (let j = this.coreStart[k]!; j < this.coreStart[k + 1]!; j++) if (!hrq.idleCpu(this.coreCpus[j]!)) return false
    return true
  }

  /** sd_llc_shared->has_idle_cores, computed exactly: a core of the LLC with every SMT sibling idle. */
  private hasIdleCore(hrq: HostRunqueues, llc: number): boolean {
    for (let j = this.llcStart[llc]!; j < this.llcStart[llc + 1]!; j++) {
      const c = this.llcCpus[j]!
      if (this.coreFirstDom[this.coreOf[c]!] === c && this.coreIdle(hrq, this.coreOf[c]!)) return true
    }
    return false
  }

  /** Before 4.9: the sd_llc groups (cores) from the target's, then the target's SMT siblings from the target. */
  private groupWalk(hrq: HostRunqueues, target: number, llc: number, mask: Uint8Array): number {
    const a = this.llcStart[llc]!
    const n = this.llcStart[llc + 1]! - a
    const tk = this.coreOf[target]!
    const k0 = this.wrapStart(llc, this.coreFirstDom[tk]!)
    for (let s = 0; s < n; s++) {
      const c = this.llcCpus[a + ((k0 + s) % n)]!
      const k = this.coreOf[c]!
      if (this.coreFirstDom[k] !== c) continue
      let first = -1
      let ok = true
      for (let j = this.coreStart[k]!; j < this.coreStart[k + 1]!; j++) {
        const x = this.coreCpus[j]!
        if (this.dom[x] !== 1) continue
        if (x === target || !hrq.idleCpu(x)) { ok = false; break }
        if (first < 0 && mask[x] === 1) first = x
      }
      if (ok && first >= 0) return first
    }
    // the SMT domain below: one-CPU groups in a ring from the target's
    const a2 = this.coreStart[tk]!
    const m = this.coreStart[tk + 1]! - a2
    let t0 = 0
    while (this.coreCpus[a2 + t0] !== target) t0++
    for (let s = 1; s < m; s++) {
      const x = this.coreCpus[a2 + ((t0 + s) % m)]!
      if (this.dom[x] === 1 && mask[x] === 1 && hrq.idleCpu(x)) return x
    }
    return -1
  }

  /** 4.9–5.11 select_idle_core(): for_each_cpu_wrap(core, span ∩ mask, target), a core met once. */
  private idleCore(hrq: HostRunqueues, target: number, llc: number, mask: Uint8Array): number {
    const a = this.llcStart[llc]!
    const n = this.llcStart[llc + 1]! - a
    const k0 = this.wrapStart(llc, target)
    const st = this.nextStamp()
    for (let s = 0; s < n; s++) {
      const c = this.llcCpus[a + ((k0 + s) % n)]!
      const k = this.coreOf[c]!
      if (mask[c] !== 1 || this.coreStamp[k] === st) continue
      if (this.coreIdle(hrq, k)) return c
      this.coreStamp[k] = st
    }
    return -1
  }

  /** 4.9–5.11 select_idle_cpu() without SIS_AVG_CPU / SIS_PROP: the first idle allowed CPU from the target. */
  private idleCpu(hrq: HostRunqueues, target: number, llc: number, mask: Uint8Array): number {
    const a = this.llcStart[llc]!
    const n = this.llcStart[llc + 1]! - a
    const k0 = this.wrapStart(llc, target)
    for (let s = 0; s < n; s++) {
      const c = this.llcCpus[a + ((k0 + s) % n)]!
      if (mask[c] === 1 && hrq.idleCpu(c)) return c
    }
    return -1
  }

  /** select_idle_smt(cpu): cpu's idle allowed SMT siblings ascending (within the LLC's span when `inSpan`). */
  private idleSmt(hrq: HostRunqueues, cpu: number, llc: number, mask: Uint8Array, inSpan: boolean): number {
    const k = this.coreOf[cpu]!
    for (let j = this.coreStart[k]!; j < this.coreStart[k + 1]!; j++) {
      const x = this.coreCpus[j]!
      if (x === cpu || mask[x] !== 1) continue
      if (inSpan && (this.dom[x] !== 1 || this.llcOf[x] !== llc)) continue
      if (hrq.idleCpu(x)) return x
    }
    return -1
  }

  /** 5.12+ select_idle_cpu(p, sd, has_idle_core, target) without SIS_PROP / SIS_UTIL, from `start`. */
  private mergedScan(hrq: HostRunqueues, start: number, llc: number, mask: Uint8Array, hasIdleCore: boolean): number {
    const a = this.llcStart[llc]!
    const n = this.llcStart[llc + 1]! - a
    const k0 = this.wrapStart(llc, start)
    const st = this.nextStamp()
    let idle = -1
    for (let s = 0; s < n; s++) {
      const c = this.llcCpus[a + ((k0 + s) % n)]!
      if (mask[c] !== 1) continue
      if (!hasIdleCore) {
        if (hrq.idleCpu(c)) return c
        continue
      }
      // select_idle_core(p, core = c, cpus, &idle_cpu)
      const k = this.coreOf[c]!
      if (this.coreStamp[k] === st) continue
      let whole = true
      for (let j = this.coreStart[k]!; j < this.coreStart[k + 1]!; j++) {
        const x = this.coreCpus[j]!
        if (!hrq.idleCpu(x)) {
          whole = false
          if (idle === -1) continue
          break
        }
        if (idle === -1 && mask[x] === 1 && (!this.p.fallbackInSpan || (this.dom[x] === 1 && this.llcOf[x] === llc))) idle = x
      }
      if (whole) return c
      this.coreStamp[k] = st
    }
    return idle
  }
}
