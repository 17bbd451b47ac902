// This machine's CPUs as sysfs describes them (Documentation/ABI/stable/sysfs-devices-system-cpu and
// Documentation/admin-guide/cputopology.rst): the online CPUs, each one's package
// (topology/physical_package_id), its core (the CPUs of topology/thread_siblings_list), its NUMA node
// (node*/cpulist) and its last-level cache (the highest-level unified cache/index*, shared_cpu_list) — the
// same files lscpu reads. The result is lscpu -p's rows, so the existing lscpu importer turns them into
// host.topology.
import { MAX_NR_CPUS, parseCpuList, cpusOf, formatCpuList } from '../../../core/topology/cpulist.ts'
import type { CpuRow } from '../../../core/topology/host-topology.ts'
import type { MachineFs } from './machine-fs.ts'

const CPU_DIR = 'sys/devices/system/cpu'
const NODE_DIR = 'sys/devices/system/node'

export interface CacheLevel { name: string; instances: number; sharedBy: number }

export interface CpuTopologyRead {
  /** One row per online CPU: the package, a core id (one per thread_siblings_list), node and LLC. */
  rows: CpuRow[]
  online: number[]
  /** nr_cpu_ids as far as read: the highest present CPU + 1 (what cpulists on the command line are checked against). */
  nrCpuIds: number
  /** Present but offline CPUs. */
  offline: number[]
  /** The caches, outermost last: "L3" shared by 16 CPUs, 2 instances. */
  caches: CacheLevel[]
  nodes: number
  /** The last-level cache's name ("L3"), or '' when none was read. */
  llc: string
  notRead: { item: string; reason: string }[]
}

function list(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined
  if (text === '') return []
  const r = parseCpuList(text, { nrCpus: MAX_NR_CPUS })
  return r.ok ? cpusOf(r.cpus) : undefined
}

/** Reads the CPU topology; `rows` is empty when the online CPUs cannot be read at all. */
export function readCpuTopology(fs: MachineFs): CpuTopologyRead {
  const notRead: CpuTopologyRead['notRead'] = []
  const onlineRead = fs.read(`${CPU_DIR}/online`)
  const online = onlineRead.ok ? list(onlineRead.text.trim()) : undefined
  if (!online || !online.length) {
    notRead.push({ item: 'CPU topology', reason: `${fs.shown(`${CPU_DIR}/online`)}: ${onlineRead.ok ? 'not a CPU list' : onlineRead.reason}` })
    return { rows: [], online: [], nrCpuIds: 0, offline: [], caches: [], nodes: 0, llc: '', notRead }
  }
  const present = list(fs.line(`${CPU_DIR}/present`)) ?? online
  const offline = present.filter((c) => !online.includes(c))
  if (offline.length) notRead.push({ item: `CPUs ${formatCpuList(offline)}`, reason: 'offline (bring them online with echo 1 > /sys/devices/system/cpu/cpuN/online for a complete topology)' })

  // NUMA nodes: node*/cpulist; without /sys/devices/system/node (CONFIG_NUMA off) every CPU is in node 0.
  const nodeOf = new Map<number, number>()
  const nodeDir = fs.list(NODE_DIR)
  let nodes = 1
  if (nodeDir.ok) {
    const ids = nodeDir.names.map((n) => /^node(\d+)$/.exec(n)?.[1]).filter((x): x is string => x !== undefined).map(Number).sort((a, b) => a - b)
    nodes = Math.max(1, ids.length)
    for (const id of ids) for (const cpu of list(fs.line(`${NODE_DIR}/node${id}/cpulist`)) ?? []) nodeOf.set(cpu, id)
  } else {
    notRead.push({ item: 'NUMA nodes', reason: `${fs.shown(NODE_DIR)}: ${nodeDir.reason} (a kernel without CONFIG_NUMA) — every CPU is put in node 0` })
  }

  const rows: CpuRow[] = []
  const coreIds = new Map<string, number>()
  const cacheGroups = new Map<string, Set<string>>()
  let llcName = ''
  let llcLevel = 0
  const llcOf = new Map<number, string>()
  const missing: number[] = []
  for (const cpu of online) {
    const base = `${CPU_DIR}/cpu${cpu}`
    const pkg = fs.line(`${base}/topology/physical_package_id`)
    const siblings = fs.line(`${base}/topology/thread_siblings_list`) ?? fs.line(`${base}/topology/core_cpus_list`)
    if (pkg === undefined || !/^-?\d+$/.test(pkg) || siblings === undefined) { missing.push(cpu); continue }
    const socket = Math.max(0, Number(pkg))
    const coreKey = `${socket}/${siblings}`
    if (!coreIds.has(coreKey)) coreIds.set(coreKey, coreIds.size)
    // caches: index0..N with level, type and the CPUs sharing it
    const idx = fs.list(`${base}/cache`)
    if (idx.ok) {
      for (const name of idx.names.filter((n) => /^index\d+$/.test(n))) {
        const level = Number(fs.line(`${base}/cache/${name}/level`) ?? NaN)
        const type = fs.line(`${base}/cache/${name}/type`) ?? ''
        const shared = fs.line(`${base}/cache/${name}/shared_cpu_list`)
        if (!Number.isInteger(level) || shared === undefined) continue
        const label = `L${level}${type === 'Data' ? 'd' : type === 'Instruction' ? 'i' : ''}`
        let g = cacheGroups.get(label)
        if (!g) cacheGroups.set(label, (g = new Set()))
        g.add(shared)
        if (type === 'Unified' && level >= llcLevel) {
          if (level > llcLevel) llcOf.clear()
          llcLevel = level
          llcName = label
          llcOf.set(cpu, shared)
        }
      }
    }
    rows.push({ cpu, core: coreIds.get(coreKey)!, socket, node: nodeOf.get(cpu) ?? 0 })
  }
  if (missing.length) notRead.push({ item: `topology of CPUs ${formatCpuList(missing)}`, reason: 'topology/physical_package_id or thread_siblings_list missing' })
  // the LLC id: the order in which each shared_cpu_list group first appears
  if (llcOf.size === rows.length && rows.length) {
    const ids = new Map<string, number>()
    for (const r of rows) {
      const k = llcOf.get(r.cpu)!
      if (!ids.has(k)) ids.set(k, ids.size)
      r.llc = ids.get(k)!
    }
  } else if (rows.length) {
    notRead.push({ item: 'last-level cache', reason: `${fs.shown(`${CPU_DIR}/cpuN/cache`)}: no unified cache on every CPU — the LLC is taken to be one per socket` })
  }
  const caches = [...cacheGroups.entries()]
    .map(([name, groups]) => ({ name, instances: groups.size, sharedBy: Math.max(...[...groups].map((g) => list(g)?.length ?? 1)) }))
    .sort((a, b) => a.name.localeCompare(b.name))
  return { rows, online, nrCpuIds: Math.max(...present, ...online) + 1, offline, caches, nodes, llc: llcOf.size === rows.length ? llcName : '', notRead }
}

/** The rows as `lscpu -p=CPU,Core,Socket,Node,Cache` prints them: the input of the lscpu importer. */
export function lscpuText(rows: readonly CpuRow[]): string {
  const hasLlc = rows.every((r) => r.llc !== undefined)
  const lines = [hasLlc ? '# CPU,Core,Socket,Node,,L3' : '# CPU,Core,Socket,Node']
  for (const r of rows) lines.push(`${r.cpu},${r.core},${r.socket},${r.node}${hasLlc ? `,,${r.llc}` : ''}`)
  return `${lines.join('\n')}\n`
}
