// KVM's exit fastpaths per host version and vendor (core/kvm/exit-fastpath.ts), and the cost vector setup resolves
// from them: the model charges the path the host takes, without a version test of its own.
import { describe, it, expect } from 'vitest'
import { x2apicIcrFastpath, tscDeadlineFastpath, preemptionTimerFastpath, resolveExitFastpaths, fastpathDecision, unusedCostOverrides } from '../../core/kvm/exit-fastpath.ts'
import { icrFastpath, ipiSendPath } from '../../core/kvm/ipi.ts'
import { COST_TABLES } from '../../core/costs/cost-tables.ts'
import { loadProfile, resolveConfiguration } from '../../core/index.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { formatIssue } from '../../core/schema/schema.ts'

describe('handle_fastpath_set_msr_irqoff(): the x2APIC ICR write', () => {
  it('VMX (1e9e2622a149): from 5.6', () => {
    expect(x2apicIcrFastpath('5.5', 'vmx')).toBe(false)
    expect(x2apicIcrFastpath('5.6', 'vmx')).toBe(true)
    expect(x2apicIcrFastpath('6.8', 'vmx')).toBe(true)
  })
  it('SVM: from 5.6 (svm_handle_exit_irqoff(), then svm_exit_handlers_fastpath() from a9ab13ff6e84); 5.9 keeps it (removed and re-enabled after svm_complete_interrupts() within the 5.9-rc fixes)', () => {
    expect(x2apicIcrFastpath('5.5', 'svm')).toBe(false)
    expect(x2apicIcrFastpath('5.6', 'svm')).toBe(true)
    expect(x2apicIcrFastpath('5.8', 'svm')).toBe(true)
    expect(x2apicIcrFastpath('5.9', 'svm')).toBe(true)
    expect(x2apicIcrFastpath('5.10', 'svm')).toBe(true)
    expect(icrFastpath('5.9', 'x2apic', 'physical', 'svm')).toBe(true)
    expect(icrFastpath('5.5', 'x2apic', 'physical', 'svm')).toBe(false)
    const base = { vendor: 'svm' as const, apicMode: 'x2apic' as const, apicvActive: false, ipiv: false, avicActive: false, pvIpi: false, guestVersion: '6.1', multicast: false }
    expect(ipiSendPath({ ...base, hostVersion: '5.5' }).fastpath).toBe(false)
    expect(ipiSendPath({ ...base, hostVersion: '5.9' }).fastpath).toBe(true)
    expect(ipiSendPath({ ...base, hostVersion: '6.1' }).fastpath).toBe(true)
  })
})

describe('handle_fastpath_set_tscdeadline() (ae95f566b3d2) and handle_fastpath_preemption_timer() (26efe2fd92e5)', () => {
  it('from 5.8 on VMX; the TSC-deadline write only when kvm_can_use_hv_timer()', () => {
    expect(tscDeadlineFastpath('5.7', 'vmx', true)).toBe(false)
    expect(tscDeadlineFastpath('5.8', 'vmx', true)).toBe(true)
    expect(tscDeadlineFastpath('6.8', 'vmx', false)).toBe(false)
    expect(preemptionTimerFastpath('5.7', 'vmx')).toBe(false)
    expect(preemptionTimerFastpath('5.8', 'vmx')).toBe(true)
    expect(preemptionTimerFastpath('6.8', 'svm')).toBe(false)
  })
  it('from 6.18 (0a94b2042419) the TSC-deadline write takes the fastpath whatever the timer — the sw hrtimer and AMD included', () => {
    expect(tscDeadlineFastpath('6.17', 'vmx', false)).toBe(false)
    expect(tscDeadlineFastpath('6.17', 'svm', false)).toBe(false)
    expect(tscDeadlineFastpath('6.18', 'vmx', false)).toBe(true)
    expect(tscDeadlineFastpath('6.18', 'svm', false)).toBe(true)
    expect(fastpathDecision('6.18', 'svm', false, true)).toMatchObject({ value: 'x2APIC ICR, TSC deadline', reason: expect.stringMatching(/whatever the timer \(0a94b2042419, 6\.18\)/) })
    expect(fastpathDecision('6.17', 'svm', false, true).value).toBe('x2APIC ICR')
  })
  it('resolveExitFastpaths() charges the path the host takes; the TSC-deadline rows stay per vCPU', () => {
    const t = COST_TABLES['skylake-sp']
    const old = resolveExitFastpaths(t, { hostVersion: '5.3', vendor: 'vmx', vmsUseHvTimer: [true] })
    expect(old.table.exitPreemptionTimer).toEqual(t.exitPreemptionTimerSlow)
    expect(old.tscDeadline).toBe('slow')
    const now = resolveExitFastpaths(t, { hostVersion: '6.1', vendor: 'vmx', vmsUseHvTimer: [true] })
    expect(now.table.exitPreemptionTimer).toEqual(t.exitPreemptionTimer)
    expect(now.tscDeadline).toBe('fast')
    // both rows stay: LapicTimer.msrWriteNs() takes the fastpath row while a vCPU's hv timer is in use
    expect(now.table.exitMsrWriteTscDeadline).toEqual(t.exitMsrWriteTscDeadline)
    expect(now.table.exitMsrWriteTscDeadlineSlow).toEqual(t.exitMsrWriteTscDeadlineSlow)
    const mixed = resolveExitFastpaths(t, { hostVersion: '6.1', vendor: 'vmx', vmsUseHvTimer: [true, false] })
    expect(mixed.tscDeadline).toBe('mixed')
    expect(mixed.warnings).toEqual([])
    expect(unusedCostOverrides(['exitMsrWriteTscDeadline', 'exitMsrWriteTscDeadlineSlow'], mixed)).toEqual([])
  })
  it('the decision names the kernel functions and commits', () => {
    const d = fastpathDecision('6.1', 'vmx', true, true)
    expect(d.value).toBe('x2APIC ICR, TSC deadline, preemption timer')
    expect(d.reason).toContain('handle_fastpath_set_tscdeadline()')
    expect(d.reason).toContain('26efe2fd92e5')
    expect(fastpathDecision('5.3', 'vmx', true, false).value).toBe('none')
  })
})

describe('setupModel(): the resolved cost vector', () => {
  const setup = (version: string, costs: Record<string, unknown> = {}, cpu = 'skylake-sp') => {
    const r = loadProfile({
      schemaVersion: 1, name: 'fastpath',
      host: { cpu, topology: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }, kernel: { version }, costs },
      vms: [{ name: 'vm', vcpus: 2, pinning: { vcpupin: ['4', '5'] }, workload: { kind: 'timer' } }],
      configurations: [{ name: 'c', overrides: {} }],
    })
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'))
    const s = setupModel(resolveConfiguration(r.profile, 'c'), 1, 0.01)
    if (!s.ok) throw new Error(JSON.stringify(s.issues))
    return { ...s.inputs, warnings: s.warnings }
  }
  it('an hv-timer guest on 5.7 pays the full paths, on 5.8 the fastpaths; the decision row says which', () => {
    const t = COST_TABLES['skylake-sp']
    expect(setup('5.7').costs.exitPreemptionTimer).toEqual(t.exitPreemptionTimerSlow)
    expect(setup('5.8').costs.exitPreemptionTimer).toEqual(t.exitPreemptionTimer)
    expect(setup('5.8').costs.exitMsrWriteTscDeadline).toEqual(t.exitMsrWriteTscDeadline)
    expect(setup('5.8').vms[0]!.decisions.find((d) => d.id === 'exit-fastpath')!.value).toContain('preemption timer')
  })
  it('an override of a row the host never charges is a warning naming the row to override instead', () => {
    const w = setup('5.3', { exitPreemptionTimer: { meanNs: 300 } }).warnings
    expect(w.join('\n')).toContain('host.costs.exitPreemptionTimer')
    expect(w.join('\n')).toContain('exitPreemptionTimerSlow')
    expect(setup('6.1', { exitPreemptionTimer: { meanNs: 300 } }).warnings).toEqual([])
    expect(unusedCostOverrides(['exitMsrWriteTscDeadlineSlow'], { tscDeadline: 'fast', preemptionTimer: 'fast' })).toHaveLength(1)
  })
  it('an AMD host (sw hrtimer) starts taking the TSC-deadline fastpath at 6.18: the full-path row is then never charged', () => {
    const slowOverride = { exitMsrWriteTscDeadlineSlow: { meanNs: 3000 } }
    const before = setup('6.17', slowOverride, 'milan')
    const after = setup('6.18', slowOverride, 'milan')
    expect(before.lapicTimer.tscDeadlineFastpathSw).toBe(false)
    expect(after.lapicTimer.tscDeadlineFastpathSw).toBe(true)
    expect(before.warnings.join('\n')).not.toContain('host.costs.exitMsrWriteTscDeadlineSlow')
    expect(after.warnings.join('\n')).toContain('host.costs.exitMsrWriteTscDeadlineSlow')
    expect(after.vms[0]!.decisions.find((d) => d.id === 'exit-fastpath')!.value).toContain('TSC deadline')
  })
})
