// The host's scheduling domains (kernel/sched/topology.c build_sched_domains(), sd_init(), sd_degenerate() /
// sd_parent_degenerate()) and the load balancer's parameters per host version, for core/host/load-balance.ts.
// Levels, bottom up: SMT (the CPUs of a core), MC (the CPUs of an LLC), then one level over every CPU in the domains —
// NUMA when it spans more than one node, PKG otherwise. A level whose span is no wider than its child's is dropped.
// Only HK_TYPE_DOMAIN CPUs are in the domains: isolcpus=domain CPUs sit on the NULL domain (no balancing to, from or on
// them). Each level's groups are its child's spans (single CPUs at the lowest level), as build_sched_groups() makes them.
// sd_init(): min_interval = sd_weight ms, max_interval = 2 × sd_weight ms, busy_factor, imbalance_pct 117 (110 for SMT,
// SD_SHARE_CPUCAPACITY), cache_nice_tries 0 for SMT, 1 for MC and PKG, 2 for NUMA; SD_PREFER_SIBLING on every level but
// NUMA, so a level whose child is not NUMA has sds->prefer_sibling.
// Version facts (Vincent Guittot's "sched/fair: Improve fairness between cfs tasks" series, merged for v5.10):
//  "Reduce busy load balance interval" busy_factor 32 → 16; "Minimize concurrent LBs between domain level" a busy
//  interval one jiffy shorter; "Reduce minimal imbalance threshold" the default imbalance_pct 125 → 117 (PKG/NUMA;
//  MC was 117 already); "Relax constraint on task's load during load balance" shr_bound(load, nr_balance_failed) in
//  detach_tasks() instead of load/2. c5b0a7eefc70 "sched/fair: Remove sysctl_sched_migration_cost condition" (v5.16):
//  newidle_balance() no longer skips on avg_idle < sysctl_sched_migration_cost, only on avg_idle < the first domain's
//  max_newidle_lb_cost.
import { atLeast } from '../kernel-version.ts'

/** enum cpu_idle_type: the balancing CPU is busy, idle (tick or nohz idle balance), or about to idle. */
export const LbIdle = { NOT_IDLE: 0, IDLE: 1, NEWLY_IDLE: 2 } as const

export interface LbParams {
  busyFactor: number
  /** get_sd_balance_interval(): a busy interval is one jiffy shorter (5.10+). */
  busyMinusOne: boolean
  /** detach_tasks(), migrate_load: a task's load may exceed the imbalance by shr_bound(load, nr_balance_failed) (5.10+),
   *  else by load/2. */
  relaxedLoad: boolean
  /** newidle_balance() skips when avg_idle < sysctl_sched_migration_cost (before 5.16). */
  migrationCostGate: boolean
  jiffyNs: number
  /** max_load_balance_interval = HZ × num_online_cpus() / 10 jiffies (update_max_interval()). */
  maxIntervalJiffies: number
}

export function lbParams(hostVersion: string, hz: number, nrCpus: number): LbParams {
  const v510 = atLeast(hostVersion, '5.10')
  return {
    busyFactor: v510 ? 16 : 32,
    busyMinusOne: v510,
    relaxedLoad: v510,
    migrationCostGate: !atLeast(hostVersion, '5.16'),
    jiffyNs: 1e9 / hz,
    maxIntervalJiffies: Math.max(1, Math.floor((hz * nrCpus) / 10)),
  }
}

export interface DomainTopology {
  nrCpus: number
  /** HK_TYPE_DOMAIN: the CPUs in the scheduling domains. */
  inDomain: Uint8Array
  coreOf: Int32Array
  llcOf: Int32Array
  numaOf: Int32Array
}

/** One level of the domain tree: per CPU its span id (−1 off the domains), the CPUs of each span, sd_init()'s
 *  parameters. */
export interface DomainLevel {
  spanOf: Int32Array
  spans: Int32Array[]
  /** Per CPU: its group at this level (the child's span id; the CPU itself at the lowest level). */
  groupOf: Int32Array
  /** The CPUs of each group id (a group id is a child span id, or a CPU at the lowest level). */
  groups: Int32Array[]
  smt: boolean
  numa: boolean
  imbalancePct: number
  cacheNiceTries: number
  preferSibling: boolean
}

const SPAN_SMT = 0
const SPAN_MC = 1
const SPAN_TOP = 2

function spanLists(key: Int32Array, inDomain: Uint8Array): Int32Array[] {
  const lists: number[][] = []
  for (let c = 0; c < key.length; c++) {
    if (inDomain[c] !== 1) continue
    const k = key[c]!
    while (lists.length <= k) lists.push([])
    lists[k]!.push(c)
  }
  return lists.map((l) => Int32Array.from(l))
}

/** build_sched_domains() over the domain CPUs, degenerate levels dropped. */
export function buildSchedDomains(t: DomainTopology, hostVersion: string): DomainLevel[] {
  const n = t.nrCpus
  const nodes = new Set<number>()
  for (let c = 0; c < n; c++) if (t.inDomain[c] === 1) nodes.add(t.numaOf[c]!)
  const keys: Int32Array[] = [Int32Array.from(t.coreOf), Int32Array.from(t.llcOf), new Int32Array(n)]
  const levels: DomainLevel[] = []
  let childSpans: Int32Array[] | null = null
  let childKey: Int32Array | null = null
  let childNuma = false
  for (let kind = SPAN_SMT; kind <= SPAN_TOP; kind++) {
    const key = keys[kind]!
    const spans = spanLists(key, t.inDomain)
    // sd_parent_degenerate(): a level is kept only when some CPU's span is wider than its child's (1 at the bottom)
    let wider = false
    for (let c = 0; c < n && !wider; c++) {
      if (t.inDomain[c] !== 1) continue
      const w = spans[key[c]!]!.length
      const childW = childKey ? childSpans![childKey[c]!]!.length : 1
      if (w > childW) wider = true
    }
    if (!wider) continue
    const numa = kind === SPAN_TOP && nodes.size > 1
    const spanOf = new Int32Array(n).fill(-1)
    const groupOf = new Int32Array(n).fill(-1)
    for (let c = 0; c < n; c++) {
      if (t.inDomain[c] !== 1) continue
      spanOf[c] = key[c]!
      groupOf[c] = childKey ? childKey[c]! : c
    }
    const groups = childSpans ?? Array.from({ length: n }, (_, c) => Int32Array.of(c))
    levels.push({
      spanOf, spans, groupOf, groups, smt: kind === SPAN_SMT, numa,
      imbalancePct: kind === SPAN_SMT ? 110 : kind === SPAN_MC || atLeast(hostVersion, '5.10') ? 117 : 125,
      cacheNiceTries: kind === SPAN_SMT ? 0 : numa ? 2 : 1,
      preferSibling: childKey !== null && !childNuma,
    })
    childSpans = spans
    childKey = key
    childNuma = numa
  }
  return levels
}
