// The report's pinning diagram: the host's CPUs (one row per SMT thread, one column per core, per
// socket), coloured by role (housekeeping, nohz_full, isolated) with the threads pinned to each CPU in
// their VM's colour — the same data as the workbench's topology map (lib/topology-map.ts). Plain DOM.
import type { Host, Vm } from '../../../core/profile/profile-schema.ts'
import { pinSummary, topologyMap, vmColor } from '../lib/topology-map.ts'
import type { CpuCell } from '../lib/topology-map.ts'
import { h } from './dom.ts'

function roleOf(c: CpuCell): string {
  return c.roles.includes('isolated') ? 'isolated' : c.roles.includes('nohz_full') ? 'nohz' : 'hk'
}

export function pinningDiagram(host: Host, vms: readonly Vm[]): HTMLElement {
  const map = topologyMap(host, vms)
  const sockets = map.sockets.map((s) => {
    const cores = s.nodes.flatMap((n) => n.llcs.flatMap((l) => l.cores))
    const threads = Math.max(1, ...cores.map((c) => c.cpus.length))
    const rows = Array.from({ length: threads }, (_, t) => h('div', { class: 'pin-row', style: `grid-template-columns: repeat(${cores.length}, 1fr)` },
      cores.map((core) => {
        const c = core.cpus[t]
        if (!c) return h('div', { class: 'pin-cpu empty' })
        const vmIdx = c.pins[0]?.vmIndex
        return h('div', {
          class: `pin-cpu ${roleOf(c)}`,
          style: vmIdx !== undefined ? `border-color: ${vmColor(vmIdx)}; box-shadow: inset 0 0 0 1px ${vmColor(vmIdx)}` : undefined,
          title: c.pins.map((p) => `${p.vm} ${p.thread}`).join(', '),
        }, h('span', { class: 'pin-n' }, String(c.cpu)), c.pins.length ? h('span', { class: 'pin-t', style: `color: ${vmColor(vmIdx ?? 0)}` }, pinSummary(c.pins, 6)) : null)
      })))
    return h('div', { class: 'pin-socket' }, map.sockets.length > 1 ? h('div', { class: 'pin-label' }, `socket ${s.socket}`) : null, ...rows)
  })
  const legend = h('p', { class: 'pin-legend' },
    h('span', { class: 'pin-key hk' }, 'housekeeping'), h('span', { class: 'pin-key nohz' }, 'nohz_full'), h('span', { class: 'pin-key isolated' }, 'isolated (isolcpus domain)'),
    ...vms.map((v, i) => h('span', { class: 'pin-vm', style: `border-color: ${vmColor(i)}; color: ${vmColor(i)}` }, `${v.name}: v = vCPU, emu = emulator, io = I/O thread`)),
  )
  return h('figure', { class: 'keep pinning', 'data-testid': 'pinning-diagram' }, ...sockets, legend)
}
