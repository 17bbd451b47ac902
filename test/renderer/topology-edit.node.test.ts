import { describe, expect, it } from 'vitest'
import {
  clickSelect, dragSelect, emptySelection, historyOf, paintRole, pinTo, pushHistory, redoHistory, setCmdline, setPin, splitIsolcpus, undoHistory,
} from '../../renderer/src/lib/topology-edit.ts'

const cmd = (j: unknown) => (j as { host: { kernel: { cmdline: Record<string, string> } } }).host.kernel.cmdline

describe('painting roles', () => {
  it('adds nohz_full (with rcu_nocbs) and takes CPUs back to housekeeping', () => {
    const base = { schemaVersion: 1, host: { kernel: { cmdline: { nohzFull: '4-7', rcuNocbs: '4-7' } } } }
    const a = paintRole(base, 'nohz_full', [2, 3], 32)
    expect(cmd(a)).toEqual({ nohzFull: '2-7', rcuNocbs: '2-7' })
    expect(cmd(base).nohzFull).toBe('4-7') // the input is not changed
    const b = paintRole(a, 'housekeeping', [2, 7], 32)
    expect(cmd(b)).toEqual({ nohzFull: '3-6', rcuNocbs: '3-6' })
  })

  it('toggles a role off when every selected CPU has it', () => {
    const a = paintRole({}, 'irqaffinity', [0, 1], 8)
    expect(cmd(a).irqaffinity).toBe('0-1')
    expect(cmd(paintRole(a, 'irqaffinity', [0, 1], 8)).irqaffinity).toBe('')
  })

  it('keeps isolcpus= flags, and adds tuned\'s when there were none', () => {
    expect(splitIsolcpus('managed_irq,domain,2-23')).toEqual({ flags: 'managed_irq,domain,', list: '2-23' })
    const a = paintRole({ host: { kernel: { cmdline: { isolcpus: 'nohz,domain,2-3' } } } }, 'isolcpus', [4], 8)
    expect(cmd(a).isolcpus).toBe('nohz,domain,2-4')
    expect(cmd(paintRole({}, 'isolcpus', [1], 8)).isolcpus).toBe('managed_irq,domain,1')
  })

  it('sets a parameter as typed', () => {
    expect(cmd(setCmdline({}, 'nohzFull', '1-3'))).toEqual({ nohzFull: '1-3' })
  })
})

describe('pinning', () => {
  it('pins vCPUs, emulator and iothread, creating the VM entry when the profile relies on defaults', () => {
    const a = pinTo({ schemaVersion: 1 }, { vm: 0, thread: 'vcpu', vcpu: 2 }, [5, 6, 7])
    expect(a).toEqual({ schemaVersion: 1, vms: [{ pinning: { vcpupin: ['', '', '5-7'] } }] })
    const b = setPin(a, { vm: 0, thread: 'emulator' }, '0-1,^1')
    expect((b as { vms: { pinning: Record<string, unknown> }[] }).vms[0]?.pinning.emulatorpin).toBe('0-1,^1')
  })
})

describe('selection', () => {
  it('selects by click, ctrl-click, shift-click range and drag', () => {
    let s = clickSelect(emptySelection, 5, {})
    expect(s.cpus).toEqual([5])
    s = clickSelect(s, 2, { toggle: true })
    expect(s.cpus).toEqual([2, 5])
    s = clickSelect(s, 4, { shift: true })
    expect(s.cpus).toEqual([2, 3, 4])
    s = dragSelect(s, 9)
    expect(s.cpus).toEqual([2, 3, 4, 9])
    s = clickSelect(s, 3, { toggle: true })
    expect(s.cpus).toEqual([2, 4, 9])
  })
})

describe('history', () => {
  it('undoes and redoes, and a new edit drops the redo stack', () => {
    let h = historyOf('a')
    h = pushHistory(h, 'b')
    h = pushHistory(h, 'c')
    h = undoHistory(h)
    expect(h.present).toBe('b')
    h = undoHistory(undoHistory(h))
    expect(h.present).toBe('a')
    h = redoHistory(h)
    expect(h.present).toBe('b')
    h = pushHistory(h, 'd')
    expect(h.future).toEqual([])
    expect(redoHistory(h)).toBe(h)
  })
})
