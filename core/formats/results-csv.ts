// A configuration's results as CSV: one row per exit reason per VM, then the rows of all VMs together
// (vm "*", what `perf kvm stat` prints system-wide). RFC 4180 quoting, CRLF-free ("\n" lines).
import type { ConfigResult } from '../result.ts'

const HEADER = ['config', 'vm', 'reason', 'count', 'totalNs', 'minNs', 'maxNs', 'meanNs', 'relStddevPct', 'exitsPerSec']

export function csvField(v: string | number): string {
  const s = String(v)
  return /[",\n\r]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function exportResultsCsv(results: readonly ConfigResult[]): string {
  const lines = [HEADER.join(',')]
  for (const r of results) {
    const secs = r.virtualNs / 1e9
    const groups = [...r.vms.map((v) => ({ vm: v.vm, exits: v.exits })), { vm: '*', exits: r.allVms.exits }]
    for (const g of groups) {
      for (const e of g.exits) {
        lines.push([r.config, g.vm, e.reason, e.count, e.totalNs, e.minNs, e.maxNs, e.meanNs, e.relStddevPct, secs > 0 ? e.count / secs : 0].map(csvField).join(','))
      }
    }
  }
  return `${lines.join('\n')}\n`
}
