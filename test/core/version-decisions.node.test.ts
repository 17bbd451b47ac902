// Decisions consistent with the host version (issue 14 item 7), through the real setup (loadProfile → setupModel):
// each row is decided once, in the decision module that mirrors the kernel function it names.
import { describe, it, expect } from 'vitest'
import { loadProfile, resolveConfiguration } from '../../core/index.ts'
import { setupModel } from '../../core/sim/setup.ts'
import { formatIssue } from '../../core/schema/schema.ts'
import { grantDisableExits, disableExitsDecision } from '../../core/kvm/disable-exits.ts'
import { piInjectTimerDecision } from '../../core/kvm/timer-path.ts'
import { residualTickLocal } from '../../core/host/tick-offload.ts'

const ALL_EXITS = { mwait: true, hlt: true, pause: true, cstate: true }

function decisions(cpu: string, version: string, vm: Record<string, unknown> = {}, kvm: Record<string, unknown> = {}) {
  const r = loadProfile({
    schemaVersion: 1, name: 'decisions',
    host: { cpu, topology: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 }, kernel: { version, cmdline: { nohzFull: '2-7' } }, kvm },
    vms: [{ name: 'vm', vcpus: 2, pinning: { vcpupin: ['4', '5'] }, workload: { kind: 'redis' }, ...vm }],
    configurations: [{ name: 'c', overrides: {} }],
  })
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'))
  const s = setupModel(resolveConfiguration(r.profile, 'c'), 1, 0.01)
  if (!s.ok) throw new Error(JSON.stringify(s.issues))
  const d = s.inputs.vms[0]!.decisions
  return (id: string) => d.find((x) => x.id === id)!
}

describe('pi_inject_timer (kvm_x86_vendor_init(), 0c5f81dad46c v5.3)', () => {
  it('a 4.10 host has no pi_inject_timer: the row says n/a, never "-1 resolves to …"', () => {
    const row = decisions('skylake-sp', '4.10')('pi-inject-timer')
    expect(row.value).toBe('n/a')
    expect(row.reason).toContain('< 5.3')
    expect(row.reason).not.toContain('resolves')
  })
  it('from 5.3, -1 resolves from housekeeping_enabled(HK_TYPE_TIMER)', () => {
    expect(decisions('skylake-sp', '5.3')('pi-inject-timer').reason).toContain('housekeeping_enabled(HK_TYPE_TIMER)')
    expect(piInjectTimerDecision('5.2.21', false, 1, true).reason).toContain('has no effect')
  })
})

describe('KVM_CAP_X86_DISABLE_EXITS PAUSE on SVM (init_vmcb(), 830f01b089b1 v5.8)', () => {
  it('an SVM host before 5.8 does not list PAUSE as disabled and says why', () => {
    const row = decisions('rome', '5.7', { kvm: { disableExits: ALL_EXITS } })('disable-exits')
    expect(row.value).not.toContain('PAUSE')
    expect(row.value).toContain('HLT')
    expect(row.reason).toContain('830f01b089b1')
    expect(grantDisableExits('5.7', ALL_EXITS, true, 'svm').pause).toBe(false)
  })
  it('from 5.8 on SVM, and on every VMX host from 4.17, PAUSE is disabled', () => {
    expect(decisions('rome', '5.8', { kvm: { disableExits: ALL_EXITS } })('disable-exits').value).toContain('PAUSE')
    expect(decisions('skylake-sp', '5.4', { kvm: { disableExits: ALL_EXITS } })('disable-exits').value).toContain('PAUSE')
    expect(grantDisableExits('4.17', ALL_EXITS, true, 'vmx').pause).toBe(true)
  })
  it('a host before 4.17 has no KVM_CAP_X86_DISABLE_EXITS', () => {
    const d = disableExitsDecision('4.14', ALL_EXITS, grantDisableExits('4.14', ALL_EXITS, true, 'vmx'), 'vmx')
    expect(d.value).toBe('none')
    expect(d.reason).toContain('< 4.17')
  })
})

describe('steal-time preempted on HLT block (kvm_arch_vcpu_put(), 54aa83c90198 v5.19 + stable)', () => {
  it('the decision row follows the stable backport: 5.10.179 yes, 5.10.180 no', () => {
    expect(decisions('skylake-sp', '5.10.179')('preempted-on-hlt').value).toBe('yes')
    const row = decisions('skylake-sp', '5.10.180')('preempted-on-hlt')
    expect(row.value).toBe('no')
    expect(row.reason).toContain('5.10.180')
  })
  it('the wake-up placement row and the model input agree with it', () => {
    for (const [v, looksBusy] of [['5.18.16', true], ['5.18.17', false], ['6.1', false]] as const) {
      const row = decisions('skylake-sp', v)('idle-vcpu-available')
      expect(row.value === 'HLT-blocked vCPUs look preempted').toBe(looksBusy)
    }
  })
})

describe('residual 1 Hz tick (sched_tick_offload_init(), v4.17)', () => {
  it('stays local on a nohz_full CPU before 4.17, offloaded from 4.17', () => {
    expect(residualTickLocal('4.16')).toBe(true)
    expect(residualTickLocal('4.17')).toBe(false)
  })
})

describe('the guest LAPIC timer rows per host version (start_sw_tscdeadline(), get_nohz_timer_target(), kvm_create_lapic())', () => {
  const noHv = { kvm: { disableExits: { mwait: true, hlt: true } } }
  it('sw timer on a nohz_full pCPU: pinned on it before 5.3, handed to a housekeeping CPU from 5.3', () => {
    const pre = decisions('skylake-sp', '5.2', noHv, { piInjectTimer: 0 })('timer-path')
    expect(pre.value).toBe('sw-hrtimer-local')
    expect(pre.reason).toContain('HRTIMER_MODE_ABS_PINNED')
    const post = decisions('skylake-sp', '5.10', noHv, { piInjectTimer: 0 })('timer-path')
    expect(post.value).toBe('sw-hrtimer-unpinned')
    expect(post.reason).toContain('get_nohz_timer_target()')
    // SVM has no hv timer: the same placement
    expect(decisions('milan', '6.1', {}, { piInjectTimer: 0 })('timer-path').value).toBe('sw-hrtimer-unpinned')
  })
  it('lapic_timer_advance_ns: off on 4.19, adaptive on 5.10 and 6.12, fixed on 6.1, a fixed value ignored on 6.12', () => {
    expect(decisions('skylake-sp', '4.19')('timer-advance').value).toBe('off')
    expect(decisions('skylake-sp', '5.10')('timer-advance').value).toContain('adaptive')
    expect(decisions('skylake-sp', '6.1', {}, { lapicTimerAdvanceNs: 800 })('timer-advance').value).toBe('800 ns (fixed)')
    const late = decisions('skylake-sp', '6.12', {}, { lapicTimerAdvanceNs: 800 })('timer-advance')
    expect(late.value).toContain('adaptive')
    expect(late.reason).toContain('kvm.lapic_timer_advance')
  })
  it('exit fastpaths: the TSC-deadline write on VMX 5.8+ only with the hv timer; none on SVM for it', () => {
    expect(decisions('skylake-sp', '5.8', {}, { piInjectTimer: 0 })('exit-fastpath').value).toContain('TSC deadline')
    expect(decisions('skylake-sp', '5.7', {}, { piInjectTimer: 0 })('exit-fastpath').value).not.toContain('TSC deadline')
    expect(decisions('skylake-sp', '5.8', noHv, { piInjectTimer: 0 })('exit-fastpath').value).not.toContain('TSC deadline')
    expect(decisions('milan', '6.1')('exit-fastpath').value).not.toContain('TSC deadline')
  })
})
