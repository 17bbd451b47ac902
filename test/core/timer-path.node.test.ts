import { describe, it, expect } from 'vitest'
import { resolvePiInjectTimer, kvmCanPostTimerInterrupt, kvmCanUseHvTimer, decideTimerPath } from '../../core/kvm/timer-path.ts'
import type { TimerInputs } from '../../core/kvm/timer-path.ts'

/** A Skylake-class VMX host with APICv, preemption timer usable, no exits disabled. */
const vmx = (o: Partial<TimerInputs> = {}): TimerInputs => ({
  hostVersion: '6.8', vendor: 'vmx', hvTimerHardware: true, preemptionTimerParam: true, apicvActive: true,
  piInjectTimer: false, mwaitInGuest: false, hltInGuest: false, ...o,
})

describe('resolvePiInjectTimer (kvm_x86_vendor_init / kvm_arch_init, v5.3+)', () => {
  it('pi_inject_timer=-1 follows housekeeping_enabled(HK_TYPE_TIMER): on with nohz_full=, off without', () => {
    expect(resolvePiInjectTimer(-1, true)).toBe(true)
    expect(resolvePiInjectTimer(-1, false)).toBe(false)
  })
  it('explicit 0/1 ignore nohz_full', () => {
    expect(resolvePiInjectTimer(0, true)).toBe(false)
    expect(resolvePiInjectTimer(1, false)).toBe(true)
  })
})

describe('kvm_can_post_timer_interrupt', () => {
  it('(< v5.3): never — posted timer interrupts do not exist before 0c5f81dad46c', () => {
    for (const v of ['4.19', '5.2', '5.2.21']) {
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: true, hltInGuest: true, mwaitInGuest: true }))).toBe(false)
    }
  })
  it('(v5.3–v5.17): pi_inject_timer && apicv, even with HLT/MWAIT exiting', () => {
    for (const v of ['5.3', '5.10', '5.16', '5.17']) {
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: true }))).toBe(true)
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: false }))).toBe(false)
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: true, apicvActive: false }))).toBe(false)
    }
  })
  it('(≥ v5.18, 1714a4eb6fb0): also needs HLT or MWAIT passed through to the guest', () => {
    for (const v of ['5.18', '6.1', '6.8']) {
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: true }))).toBe(false)
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: true, hltInGuest: true }))).toBe(true)
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: true, mwaitInGuest: true }))).toBe(true)
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: true, hltInGuest: true, apicvActive: false }))).toBe(false)
      expect(kvmCanPostTimerInterrupt(vmx({ hostVersion: v, piInjectTimer: false, hltInGuest: true }))).toBe(false)
    }
  })
})

describe('kvm_can_use_hv_timer', () => {
  it('(all versions): SVM has no set_hv_timer, so never', () => {
    expect(kvmCanUseHvTimer(vmx({ vendor: 'svm' }))).toBe(false)
  })
  it('(vmx hardware_setup): kvm_intel.preemption_timer=N or no usable preemption timer ⇒ no hv timer', () => {
    expect(kvmCanUseHvTimer(vmx({ preemptionTimerParam: false }))).toBe(false)
    expect(kvmCanUseHvTimer(vmx({ hvTimerHardware: false }))).toBe(false)
    expect(kvmCanUseHvTimer(vmx())).toBe(true)
  })
  it('(< v4.10, before ce7a058a2117): the VMX preemption timer is not used as the LAPIC timer', () => {
    expect(kvmCanUseHvTimer(vmx({ hostVersion: '4.9' }))).toBe(false)
    expect(kvmCanUseHvTimer(vmx({ hostVersion: '4.10' }))).toBe(true)
  })
  it('(v4.17+): MWAIT in guest disables it — the timer stops counting in C3 and deeper', () => {
    for (const v of ['4.19', '5.10', '6.8']) expect(kvmCanUseHvTimer(vmx({ hostVersion: v, mwaitInGuest: true }))).toBe(false)
  })
  it('(v6.x): HLT in guest alone keeps the hv timer when the timer cannot be posted (HLT is C1, the timer counts)', () => {
    expect(kvmCanUseHvTimer(vmx({ hltInGuest: true, piInjectTimer: false }))).toBe(true)
  })
  it('(v5.3+): a postable timer disables the hv timer', () => {
    expect(kvmCanUseHvTimer(vmx({ hostVersion: '5.10', piInjectTimer: true }))).toBe(false)
    expect(kvmCanUseHvTimer(vmx({ hostVersion: '6.8', piInjectTimer: true, hltInGuest: true }))).toBe(false)
    // ≥ 5.18: pi_inject_timer alone without HLT/MWAIT passthrough no longer costs the hv timer
    expect(kvmCanUseHvTimer(vmx({ hostVersion: '6.8', piInjectTimer: true }))).toBe(true)
  })
})

describe('decideTimerPath — the consequences of the lapic.c timer paths per version', () => {
  it('row 1 (all versions ≥ 4.10): VMX with HLT/MWAIT exiting ⇒ hv timer (PREEMPTION_TIMER exits)', () => {
    for (const v of ['4.19', '5.3', '6.8']) {
      const d = decideTimerPath(vmx({ hostVersion: v }), false)
      expect(d.path).toBe('hv-timer')
      expect(d.reason).toContain('PREEMPTION_TIMER')
    }
  })
  it('row 2 (kvm_can_use_hv_timer, pre-5.3 and pi_inject_timer=0): VMX, MWAIT passthrough ⇒ sw hrtimer on the vCPU pCPU (EXTERNAL_INTERRUPT)', () => {
    const pre = decideTimerPath(vmx({ hostVersion: '5.2', mwaitInGuest: true, hltInGuest: true, piInjectTimer: true }), false)
    expect(pre.path).toBe('sw-hrtimer-local')
    expect(pre.reason).toContain('< 5.3')
    expect(pre.reason).toContain('EXTERNAL_INTERRUPT')
    const off = decideTimerPath(vmx({ hostVersion: '5.3', mwaitInGuest: true, hltInGuest: true, piInjectTimer: false }), true)
    expect(off.path).toBe('sw-hrtimer-local')
    expect(off.reason).toContain('pi_inject_timer is off')
    expect(off.reason).toContain('MWAIT')
  })
  it('row 3 (kvm_can_post_timer_interrupt v5.3+): VMX+APICv, nohz_full (pi_inject=-1→1), HLT or MWAIT passthrough ⇒ posted from housekeeping (0c5f81dad46c)', () => {
    const pi = resolvePiInjectTimer(-1, true)
    for (const v of ['5.3', '5.10', '6.8']) {
      expect(decideTimerPath(vmx({ hostVersion: v, piInjectTimer: pi, mwaitInGuest: true, hltInGuest: true }), false).path).toBe('posted-from-housekeeping')
      expect(decideTimerPath(vmx({ hostVersion: v, piInjectTimer: pi, hltInGuest: true }), false).path).toBe('posted-from-housekeeping')
    }
  })
  it('row 4 (v5.3–v5.17): nohz_full, APICv, no HLT/MWAIT passthrough ⇒ posted, the hv timer is lost', () => {
    for (const v of ['5.3', '5.15', '5.17']) {
      const i = vmx({ hostVersion: v, piInjectTimer: true })
      expect(kvmCanUseHvTimer(i)).toBe(false)
      expect(decideTimerPath(i, false).path).toBe('posted-from-housekeeping')
    }
  })
  it('row 5 (v5.18+, 1714a4eb6fb0): same host config ⇒ hv timer again (PREEMPTION_TIMER)', () => {
    for (const v of ['5.18', '6.1', '6.8']) expect(decideTimerPath(vmx({ hostVersion: v, piInjectTimer: true }), false).path).toBe('hv-timer')
  })
  it('row 6 (SVM, no hv timer): sw hrtimer, EXTERNAL_INTERRUPT ("interrupt") when it fires on the vCPU pCPU; posted only with AVIC + pi_inject', () => {
    const noAvic = decideTimerPath(vmx({ vendor: 'svm', apicvActive: false, piInjectTimer: true, hltInGuest: true }), true)
    expect(noAvic.path).toBe('sw-hrtimer-local')
    expect(noAvic.reason).toContain('SVM has no hv timer')
    expect(decideTimerPath(vmx({ vendor: 'svm', piInjectTimer: false }), true).path).toBe('sw-hrtimer-local')
    expect(decideTimerPath(vmx({ vendor: 'svm', piInjectTimer: false }), false).path).toBe('sw-hrtimer-unpinned')
    expect(decideTimerPath(vmx({ vendor: 'svm', apicvActive: true, piInjectTimer: true, hltInGuest: true }), false).path).toBe('posted-from-housekeeping')
  })
  it('housekeeping pCPU (get_nohz_timer_target keeps the unpinned hrtimer local): postable timer on a timer-housekeeping pCPU still interrupts the guest', () => {
    const d = decideTimerPath(vmx({ hostVersion: '6.8', piInjectTimer: true, hltInGuest: true }), true)
    expect(d.path).toBe('sw-hrtimer-posted-local')
    expect(d.reason).toContain('EXTERNAL_INTERRUPT')
    // the housekeeping flag does not matter when the timer is not posted
    expect(decideTimerPath(vmx(), true).path).toBe('hv-timer')
    expect(decideTimerPath(vmx({ mwaitInGuest: true }), true).path).toBe('sw-hrtimer-local')
  })
  it('kvm_intel.preemption_timer=N without posting ⇒ sw hrtimer local, reason says so', () => {
    const d = decideTimerPath(vmx({ preemptionTimerParam: false }), true)
    expect(d.path).toBe('sw-hrtimer-local')
    expect(d.reason).toContain('preemption_timer=N')
  })
})
