// The host's load balancing between pCPUs (kernel/sched/fair.c), over the domains of core/host/sched-domains.ts:
//  - periodic: the tick's trigger_load_balance() → run_rebalance_domains() → rebalance_domains(): each domain whose
//    interval (get_sd_balance_interval(): balance_interval ms, × busy_factor on a busy CPU) has passed runs
//    load_balance();
//  - newidle_balance() (sched_balance_newidle() from 6.10) when a pCPU is about to idle, cut short by avg_idle against
//    sysctl_sched_migration_cost (before 5.16) and each domain's max_newidle_lb_cost (update_newidle_cost());
//  - nohz idle balancing: a busy CPU's tick (nohz_balancer_kick(): nr_running ≥ 2, or more than one busy CPU in its
//    LLC) kicks the first idle CPU (kick_ilb() → find_new_ilb(), HK_TYPE_MISC), which runs rebalance_domains(CPU_IDLE)
//    for every tickless idle CPU that is due (_nohz_idle_balance()), then for itself.
// load_balance(): should_we_balance() (the first idle CPU of the local group, else its first CPU; every CPU when newly
// idle), find_busiest_group() (group_classify(): has_spare / fully_busy / overloaded by nr_running against the group's
// CPUs; update_sd_pick_busiest(); calculate_imbalance(): migrate_task, migrate_load by avg_load with imbalance_pct),
// find_busiest_queue(), detach_tasks() from the tail of the queue (the longest waiting) with can_migrate_task():
// the thread's affinity, never the running thread, task_hot() (ran within sysctl_sched_migration_cost, not in an SMT
// domain) unless nr_balance_failed > cache_nice_tries; LBF_ALL_PINNED drops that CPU and redoes. All threads are nice 0
// and CPU-bound as far as load goes (load = nr_running; migrate_util is taken as migrate_task by idle CPUs).
// Not modelled: active balancing (the stopper pushing a running thread), LBF_DST_PINNED's other destination, misfit and
// asym packing, NUMA balancing, PELT decay of load; the 5.5+ group classification serves every host version.
// Allocation-free after construction: typed arrays per (domain level, CPU) and scratch arrays for the group statistics.
import { CostId } from '../costs/cost-tables.ts'
import type { ModelCore } from '../sim/model-parts.ts'
import { buildSchedDomains, lbParams, LbIdle } from './sched-domains.ts'
import type { DomainLevel, LbParams } from './sched-domains.ts'
import { BusiestFinder, Migrate } from './find-busiest.ts'

/** sysctl_sched_migration_cost (500 µs): task_hot()'s limit and, before 5.16, newidle_balance()'s avg_idle gate. */
export const MIGRATION_COST_NS = 500_000
/** sysctl_sched_nr_migrate: detach_tasks() examines at most this many threads (env->loop_max). */
const NR_MIGRATE = 32
const MAX_PINNED_INTERVAL_MS = 512
const NEVER = -1

/** What load balancing asks of the host scheduler. */
export interface LbHost {
  /** pCPU c, idle, now has waiting threads: it switches to one after `delayNs` (the IPIs, its C-state exit, the pass). */
  startIdle(c: number, delayNs: number): void
  /** Threads now wait on busy pCPU c. */
  queuedBehind(c: number): void
}

export class LoadBalancer {
  private readonly m: ModelCore
  private readonly host: LbHost
  private readonly allowed: readonly (Uint8Array | null)[]
  private readonly cstateLatency: (c: number) => number
  readonly p: LbParams
  readonly levels: DomainLevel[]
  /** Some thread may run on two or more domain CPUs: without one nothing can move and no pass runs. */
  readonly active: boolean
  private readonly n: number
  private readonly inDomain: Uint8Array
  private readonly ilbCpu: Uint8Array
  private readonly llcOf: Int32Array
  // per (level, CPU), index level × n + cpu: struct sched_domain's balancing state
  private readonly intervalMs: Float64Array
  private readonly lastBalance: Float64Array
  private readonly nrFailed: Int32Array
  private readonly maxNewidleCost: Float64Array
  private readonly lastDecay: Float64Array
  // per CPU: struct rq's
  readonly nextBalance: Float64Array
  readonly avgIdle: Float64Array
  /** rq->idle_stamp: when the CPU went idle with nothing pulled, or NEVER. */
  readonly idleStamp: Float64Array
  private readonly maxIdleBalanceCost: Float64Array
  private nohzNextBalance = 0
  /** find_busiest_group() / find_busiest_queue() with their scratch statistics. */
  private readonly find: BusiestFinder
  /** The CPUs LBF_ALL_PINNED dropped in this pass (those marked with the pass's stamp). */
  private readonly dropped: Int32Array
  private stamp = 0
  private passNs = 0
  private continueBalancing = true
  private allPinned = false
  /** Threads moved by load balancing after warm-up. */
  migrations = 0

  constructor(m: ModelCore, host: LbHost, allowed: readonly (Uint8Array | null)[], cstateLatency: (c: number) => number) {
    this.m = m
    this.host = host
    this.allowed = allowed
    this.cstateLatency = cstateLatency
    const inp = m.inp
    const n = inp.nrCpus
    this.n = n
    this.inDomain = inp.schedDomain
    this.ilbCpu = inp.ilbHousekeeping
    this.llcOf = inp.llcOf
    this.p = lbParams(inp.hostVersion, inp.hostHz, n)
    this.levels = buildSchedDomains({ nrCpus: n, inDomain: inp.schedDomain, coreOf: inp.coreOf, llcOf: inp.llcOf, numaOf: inp.numaOf }, inp.hostVersion)
    let active = false
    for (const mask of allowed) {
      if (!mask) continue
      let k = 0
      for (let c = 0; c < n; c++) if (mask[c] === 1 && this.inDomain[c] === 1) k++
      if (k > 1) active = true
    }
    this.active = active && this.levels.length > 0
    const nl = this.levels.length
    this.intervalMs = new Float64Array(nl * n)
    for (let l = 0; l < nl; l++) {
      const lv = this.levels[l]!
      for (let c = 0; c < n; c++) if (lv.spanOf[c]! >= 0) this.intervalMs[l * n + c] = lv.spans[lv.spanOf[c]!]!.length
    }
    this.lastBalance = new Float64Array(nl * n)
    this.nrFailed = new Int32Array(nl * n)
    this.maxNewidleCost = new Float64Array(nl * n)
    this.lastDecay = new Float64Array(nl * n)
    this.nextBalance = new Float64Array(n)
    this.avgIdle = new Float64Array(n).fill(2 * MIGRATION_COST_NS)
    this.idleStamp = new Float64Array(n).fill(NEVER)
    this.maxIdleBalanceCost = new Float64Array(n).fill(MIGRATION_COST_NS)
    let groups = n
    for (const lv of this.levels) groups = Math.max(groups, lv.groups.length)
    this.dropped = new Int32Array(n)
    this.find = new BusiestFinder(m.hrq, groups, this.dropped)
  }

  /** trigger_load_balance() from the tick of busy pCPU c: nohz_balancer_kick(), then rebalance_domains() when
   *  rq->next_balance has come. Returns the SCHED_SOFTIRQ's time on c. */
  tick(c: number): number {
    if (!this.active || this.inDomain[c] !== 1) return 0
    const now = this.m.engine.now
    if (now >= this.nohzNextBalance) this.nohzBalancerKick(c, now)
    if (now < this.nextBalance[c]!) return 0
    const before = this.m.hrq.nrQueued[c]!
    const ns = this.rebalanceDomains(c, this.m.hrq.nrRunning(c) === 0 ? LbIdle.IDLE : LbIdle.NOT_IDLE)
    if (this.m.hrq.nrQueued[c]! > before && this.m.hrq.cur[c]! >= 0) this.host.queuedBehind(c)
    return ns
  }

  /** newidle_balance() on pCPU c, about to idle: threads it pulls wait on c for the caller to pick. Returns the time
   *  the pass took (the pulled thread starts after it). */
  newidle(c: number): number {
    const now = this.m.engine.now
    this.idleStamp[c] = now
    if (!this.active || this.inDomain[c] !== 1) return 0
    const n = this.n
    const overload = this.m.hrq.nrBusyQueues > 0
    const gate = this.p.migrationCostGate ? MIGRATION_COST_NS : this.maxNewidleCost[c]!
    if (!overload || this.avgIdle[c]! < gate) {
      this.nextBalance[c] = Math.min(this.nextBalance[c]!, this.lastBalance[c]! + this.interval(c, 0, false))
      return 0
    }
    this.passNs = 0
    let currCost = 0
    for (let l = 0; l < this.levels.length; l++) {
      const i = l * n + c
      if (this.avgIdle[c]! < currCost + this.maxNewidleCost[i]!) break
      const before = this.passNs
      const moved = this.loadBalance(c, l, LbIdle.NEWLY_IDLE)
      const cost = this.passNs - before
      this.updateNewidleCost(i, cost, now)
      currCost += cost
      this.nextBalance[c] = Math.min(this.nextBalance[c]!, this.lastBalance[i]! + this.interval(c, l, false))
      if (moved > 0) break
    }
    if (currCost > this.maxIdleBalanceCost[c]!) this.maxIdleBalanceCost[c] = currCost
    if (this.m.hrq.nrQueued[c]! > 0) this.idleStamp[c] = NEVER
    return currCost
  }

  /** ttwu_do_wakeup() on an idle-stamped run queue: avg_idle takes the idle period in (update_avg(): 1/8), capped at
   *  2 × max_idle_balance_cost. */
  idleEnds(c: number): void {
    const stamp = this.idleStamp[c]!
    if (stamp === NEVER) return
    this.idleStamp[c] = NEVER
    const avg = this.avgIdle[c]! + (this.m.engine.now - stamp - this.avgIdle[c]!) / 8
    this.avgIdle[c] = Math.min(avg, 2 * this.maxIdleBalanceCost[c]!)
  }

  /** update_newidle_cost() (5.16+): a new maximum, or after a second without one a 1 % decay. */
  private updateNewidleCost(i: number, cost: number, now: number): void {
    if (cost > this.maxNewidleCost[i]!) {
      this.maxNewidleCost[i] = cost
      this.lastDecay[i] = now
    } else if (now > this.lastDecay[i]! + 1e9) {
      this.maxNewidleCost[i] = (this.maxNewidleCost[i]! * 253) / 256
      this.lastDecay[i] = now
    }
  }

  /** get_sd_balance_interval(): balance_interval ms (× busy_factor when busy) in jiffies, a busy one a jiffy shorter
   *  from 5.10, within [1, max_load_balance_interval]. */
  private interval(c: number, l: number, busy: boolean): number {
    const p = this.p
    const ms = this.intervalMs[l * this.n + c]! * (busy ? p.busyFactor : 1)
    let j = Math.ceil((ms * 1e6) / p.jiffyNs - 1e-9)
    if (busy && p.busyMinusOne) j -= 1
    j = Math.max(1, Math.min(p.maxIntervalJiffies, j))
    return j * p.jiffyNs
  }

  /** rebalance_domains(): each level whose interval has passed balances; returns the passes' time. */
  private rebalanceDomains(c: number, idleType: number): number {
    const now = this.m.engine.now
    const n = this.n
    this.passNs = 0
    this.continueBalancing = true
    let idle = idleType
    let next = now + 60e9
    let maxCost = 0
    for (let l = 0; l < this.levels.length; l++) {
      const i = l * n + c
      this.updateNewidleCost(i, 0, now)
      maxCost += this.maxNewidleCost[i]!
      let interval = this.interval(c, l, idle !== LbIdle.IDLE)
      if (now >= this.lastBalance[i]! + interval) {
        const moved = this.loadBalance(c, l, idle)
        if (moved > 0) idle = this.m.hrq.nrRunning(c) === 0 ? LbIdle.IDLE : LbIdle.NOT_IDLE
        this.lastBalance[i] = now
        interval = this.interval(c, l, idle !== LbIdle.IDLE)
      }
      if (this.lastBalance[i]! + interval < next) next = this.lastBalance[i]! + interval
      if (!this.continueBalancing) break
    }
    this.maxIdleBalanceCost[c] = Math.max(MIGRATION_COST_NS, maxCost)
    this.nextBalance[c] = next
    return this.passNs
  }

  /** nohz_balancer_kick() at a busy tick of c, then kick_ilb() → _nohz_idle_balance() on the first idle CPU. The kicked
   *  CPU's work is done at the kick (its IPI and C-state exit delay the threads it pulls). Checked once a jiffy. */
  private nohzBalancerKick(c: number, now: number): void {
    const hrq = this.m.hrq
    this.nohzNextBalance = now + this.p.jiffyNs
    let ilb = -1
    let busyInLlc = 0
    for (let x = 0; x < this.n; x++) {
      if (this.inDomain[x] !== 1) continue
      const idle = hrq.idleCpu(x)
      if (idle && ilb < 0 && this.ilbCpu[x] === 1) ilb = x
      if (!idle && this.llcOf[x] === this.llcOf[c]) busyInLlc++
    }
    if (ilb < 0 || (hrq.nrRunning(c) < 2 && busyInLlc < 2)) return
    let spent = 0
    let next = now + 60e9
    for (let x = 0; x <= this.n; x++) {
      // the other idle CPUs first, the kicked one last
      const cpu = x === this.n ? ilb : x
      if ((x < this.n && cpu === ilb) || this.inDomain[cpu] !== 1 || !hrq.idleCpu(cpu)) continue
      if (now >= this.nextBalance[cpu]! || cpu === ilb) {
        if (spent === 0) spent = this.m.cost(CostId.wakeupIpi) + this.cstateLatency(ilb)
        spent += this.rebalanceDomains(cpu, LbIdle.IDLE)
        if (hrq.nrQueued[cpu]! > 0) {
          this.idleStamp[cpu] = NEVER
          this.host.startIdle(cpu, spent + (cpu === ilb ? 0 : this.m.cost(CostId.wakeupIpi) + this.cstateLatency(cpu)))
          continue
        }
      }
      if (this.nextBalance[cpu]! < next) next = this.nextBalance[cpu]!
    }
    this.nohzNextBalance = Math.max(next, now + this.p.jiffyNs)
  }

  /** should_we_balance(): periodic and idle balancing at a level is done by the first idle CPU of the local group, or
   *  by its first CPU when none idles. */
  private shouldWeBalance(dst: number, l: number): boolean {
    if (l === 0) return true
    const lv = this.levels[l]!
    const group = lv.groups[lv.groupOf[dst]!]!
    const hrq = this.m.hrq
    for (let k = 0; k < group.length; k++) {
      const c = group[k]!
      if (hrq.idleCpu(c)) return c === dst
    }
    return group[0] === dst
  }

  /** load_balance() of level l for dst. Returns how many threads it moved to dst. */
  private loadBalance(dst: number, l: number, idleType: number): number {
    const i = l * this.n + dst
    const lv = this.levels[l]!
    this.continueBalancing = true
    let moved = 0
    let unbalanced = false
    let allPinned = false
    if (idleType !== LbIdle.NEWLY_IDLE && !this.shouldWeBalance(dst, l)) {
      this.continueBalancing = false
    } else {
      const span = lv.spans[lv.spanOf[dst]!]!
      this.stamp++
      for (;;) {
        this.passNs += span.length * this.m.cost(CostId.hostLbPerCpu)
        const group = this.find.group(dst, lv, span, idleType, this.stamp)
        if (group < 0) break
        const src = this.find.queue(lv.groups[group]!, this.stamp)
        if (src < 0) break
        unbalanced = true
        if (this.m.hrq.nrRunning(src) <= 1) break
        moved = this.detachTasks(src, dst, l, idleType)
        if (!this.allPinned) break
        // LBF_ALL_PINNED: drop src and redo while a CPU outside dst's group is left
        this.dropped[src] = this.stamp
        const own = lv.groupOf[dst]!
        let left = false
        for (let k = 0; k < span.length && !left; k++) if (this.dropped[span[k]!] !== this.stamp && lv.groupOf[span[k]!] !== own) left = true
        if (!left) { allPinned = true; unbalanced = false; break }
      }
    }
    if (moved > 0) {
      this.nrFailed[i] = 0
      this.intervalMs[i] = lv.spans[lv.spanOf[dst]!]!.length
      if (this.m.engine.now >= this.m.warmupEnd) this.migrations += moved
      return moved
    }
    if (unbalanced) {
      if (idleType !== LbIdle.NEWLY_IDLE) this.nrFailed[i]!++
      this.intervalMs[i] = lv.spans[lv.spanOf[dst]!]!.length
      return 0
    }
    this.nrFailed[i] = 0
    const max = 2 * lv.spans[lv.spanOf[dst]!]!.length
    if (idleType !== LbIdle.NEWLY_IDLE && ((allPinned && this.intervalMs[i]! < MAX_PINNED_INTERVAL_MS) || this.intervalMs[i]! < max)) this.intervalMs[i] = this.intervalMs[i]! * 2
    return 0
  }

  /** detach_tasks() + attach_tasks(): from the tail of src's queue, threads can_migrate_task() allows, until the
   *  imbalance is met (newly idle: one thread). */
  private detachTasks(src: number, dst: number, l: number, idleType: number): number {
    const hrq = this.m.hrq
    const lv = this.levels[l]!
    const failed = this.nrFailed[l * this.n + dst]!
    const now = this.m.engine.now
    const loopMax = Math.min(NR_MIGRATE, hrq.nrRunning(src))
    this.allPinned = true
    let moved = 0
    let loop = 0
    let h = hrq.lastQueued(src)
    while (h >= 0) {
      if (idleType !== LbIdle.NOT_IDLE && hrq.nrRunning(src) <= 1) break
      if (++loop > loopMax) break
      const prev = hrq.prevQueued(h)
      const mask = this.allowed[h]
      if (!mask || mask[dst] !== 1) { h = prev; continue }
      this.allPinned = false
      // task_hot(): SMT siblings share their caches
      const hot = !lv.smt && now - hrq.execStart[h]! < MIGRATION_COST_NS
      if (hot && failed <= lv.cacheNiceTries) { h = prev; continue }
      // migrate_load: a thread's load (1) may exceed the imbalance by shr_bound(load, nr_balance_failed), load/2 before 5.10
      if (this.find.migType === Migrate.LOAD && (this.p.relaxedLoad ? 1 / 2 ** failed : 1 / 2) > this.find.imbalance) { h = prev; continue }
      this.find.imbalance -= 1
      hrq.attachQueued(h, dst)
      moved++
      if (idleType === LbIdle.NEWLY_IDLE || this.find.imbalance <= 0) break
      h = prev
    }
    return moved
  }
}
