import { describe, it, expect } from 'vitest'
import { growPleWindowRaw, shrinkPleWindowRaw, growPleWindow, shrinkPleWindow, defaultPleParams, pleEnabled, pleShrinkHook, pleShrinksOnLoad, pauseCanExitAtCpl, pleGapResets } from '../../core/kvm/ple.ts'
import { VMX, SVM } from '../../core/kvm/backend.ts'

describe('__grow_ple_window / __shrink_ple_window (arch/x86/kvm/x86.h)', () => {
  it('modifier < 1 ⇒ base; modifier < base ⇒ multiply/divide; else add/subtract; clamp', () => {
    expect(growPleWindowRaw(8192, 4096, 0, 1e9)).toBe(4096)
    expect(growPleWindowRaw(4096, 4096, 2, 1e9)).toBe(8192)
    expect(growPleWindowRaw(4096, 4096, 5000, 1e9)).toBe(9096)
    expect(growPleWindowRaw(60000, 3000, 2, 65535)).toBe(65535)
    expect(shrinkPleWindowRaw(16384, 4096, 0, 4096)).toBe(4096)
    expect(shrinkPleWindowRaw(16384, 4096, 2, 4096)).toBe(8192)
    expect(shrinkPleWindowRaw(5000, 4096, 2, 4096)).toBe(4096)
    expect(shrinkPleWindowRaw(10000, 4096, 5000, 4096)).toBe(5000)
  })
  it('grow_ple_window (VMX, 4096 ×2, max UINT_MAX) / grow_pause_filter (SVM, 3000 ×2, max USHRT_MAX); default shrink 0 resets', () => {
    const vmx = defaultPleParams('vmx'); const svm = defaultPleParams('svm')
    expect(growPleWindow(4096, vmx)).toBe(8192)
    expect(growPleWindow(2 ** 31, vmx)).toBe(0xffff_ffff)
    expect(growPleWindow(48000, svm)).toBe(65535)
    expect(shrinkPleWindow(65535, svm)).toBe(3000)
    expect(shrinkPleWindow(1 << 20, vmx)).toBe(4096)
  })
})

describe('PAUSE exiting enabled (vmx_vm_init / svm_vm_init, init_vmcb)', () => {
  it('VMX all versions: ple_gap=0 or DISABLE_EXITS_PAUSE disables PLE', () => {
    expect(pleEnabled({ vendor: 'vmx', pleGap: 128, pauseInGuest: false, hostVersion: '5.4' }).enabled).toBe(true)
    expect(pleEnabled({ vendor: 'vmx', pleGap: 0, pauseInGuest: false, hostVersion: '6.8' }).enabled).toBe(false)
    expect(pleEnabled({ vendor: 'vmx', pleGap: 128, pauseInGuest: true, hostVersion: '5.4' }).enabled).toBe(false)
  })
  it('SVM < 5.8 ignores DISABLE_EXITS_PAUSE; ≥ 5.8 (830f01b089b1) honours it and thresh/count 0', () => {
    expect(pleEnabled({ vendor: 'svm', pleGap: 128, pauseInGuest: true, hostVersion: '5.7' }).enabled).toBe(true)
    expect(pleEnabled({ vendor: 'svm', pleGap: 128, pauseInGuest: true, hostVersion: '5.8' }).enabled).toBe(false)
    expect(pleEnabled({ vendor: 'svm', pleGap: 0, pauseInGuest: false, hostVersion: '5.8' }).enabled).toBe(false)
    expect(pleEnabled({ vendor: 'svm', pleGap: 128, pauseInGuest: false, hostVersion: '5.7', pauseFilterCount: 0 }).enabled).toBe(false)
  })
  it('VMX PLE only at CPL 0; the SVM pause filter at any CPL', () => {
    expect(pauseCanExitAtCpl('vmx', 3)).toBe(false)
    expect(pauseCanExitAtCpl('svm', 3)).toBe(true)
  })
})

describe('window shrink point: kvm_arch_sched_in (< 6.11) / vcpu_load with scheduled_out (6.11+)', () => {
  it('hook by version', () => {
    expect(pleShrinkHook('6.10')).toBe('kvm_arch_sched_in')
    expect(pleShrinkHook('6.11')).toBe('vcpu_load (scheduled_out)')
  })
  it('only after a schedule-out and only with PAUSE intercepted (SVM < 5.8: pause_filter_thresh test)', () => {
    expect(pleShrinksOnLoad({ vendor: 'vmx', hostVersion: '6.11', afterScheduleOut: false, pauseInGuest: false, pleGap: 128 })).toBe(false)
    expect(pleShrinksOnLoad({ vendor: 'vmx', hostVersion: '6.11', afterScheduleOut: true, pauseInGuest: false, pleGap: 128 })).toBe(true)
    expect(pleShrinksOnLoad({ vendor: 'vmx', hostVersion: '5.15', afterScheduleOut: true, pauseInGuest: true, pleGap: 128 })).toBe(false)
    expect(pleShrinksOnLoad({ vendor: 'svm', hostVersion: '5.7', afterScheduleOut: true, pauseInGuest: true, pleGap: 128 })).toBe(true)
    expect(pleShrinksOnLoad({ vendor: 'svm', hostVersion: '5.8', afterScheduleOut: true, pauseInGuest: true, pleGap: 128 })).toBe(false)
  })
})

describe('the vendor backends (kvm_x86_ops): PLE vs the pause filter', () => {
  it('module defaults per vendor (x86.h, svm.c): VMX 128/4096/×2/reset/UINT_MAX, SVM thresh 128, count 3000, ×2, reset, USHRT_MAX', () => {
    expect(VMX.pleDefaults).toEqual({ gap: 128, window: 4096, grow: 2, shrink: 0, max: 0xffff_ffff })
    expect(SVM.pleDefaults).toEqual({ gap: 128, window: 3000, grow: 2, shrink: 0, max: 0xffff })
    expect(SVM.pleParamNames.window).toBe('kvm_amd.pause_filter_count')
    expect(VMX.pleParamLimit).toBe(0xffff_ffff)
    expect(SVM.pleParamLimit).toBe(0xffff)
  })
  it('grow_ple_window() / grow_pause_filter() double per exit up to the vendor max; shrink_*() resets to the module window', () => {
    let v = VMX.pleDefaults.window
    let s = SVM.pleDefaults.window
    for (let i = 0; i < 6; i++) { v = VMX.growPle(v, VMX.pleDefaults); s = SVM.growPle(s, SVM.pleDefaults) }
    expect(v).toBe(4096 * 64)
    expect(s).toBe(0xffff) // 3000 · 64 = 192000 capped at USHRT_MAX
    expect(VMX.shrinkPle(v, VMX.pleDefaults)).toBe(4096)
    expect(SVM.shrinkPle(s, SVM.pleDefaults)).toBe(3000)
    expect(SVM.shrinkPle(s, { ...SVM.pleDefaults, shrink: 2 })).toBe(32767)
  })
  it('the gap test: VMX resets past ple_gap; SVM past pause_filter_thresh, never in count-only mode (thresh 0)', () => {
    expect(pleGapResets('vmx', 12, 128)).toBe(false)
    expect(pleGapResets('vmx', 240, 128)).toBe(true)
    expect(pleGapResets('svm', 240, 128)).toBe(true)
    expect(pleGapResets('svm', 240, 0)).toBe(false)
    expect(VMX.pleEnabled({ vendor: 'vmx', pleGap: 128, pauseInGuest: false, hostVersion: '6.8', loopGapCycles: 240 })).toMatchObject({ enabled: false, reason: expect.stringMatching(/more than ple_gap=128/) })
    expect(SVM.pleEnabled({ vendor: 'svm', pleGap: 128, pauseInGuest: false, hostVersion: '6.8', loopGapCycles: 240 })).toMatchObject({ enabled: false, reason: expect.stringMatching(/pause_filter_thresh=128/) })
    // < 5.8: thresh 0 is the count-only filter, still intercepting; ≥ 5.8 it sets pause_in_guest
    expect(SVM.pleEnabled({ vendor: 'svm', pleGap: 0, pauseInGuest: false, hostVersion: '5.4', loopGapCycles: 240 }).enabled).toBe(true)
    expect(SVM.pleEnabled({ vendor: 'svm', pleGap: 0, pauseInGuest: false, hostVersion: '5.8', loopGapCycles: 12 }).enabled).toBe(false)
    expect(SVM.pleEnabled({ vendor: 'svm', pleGap: 128, pauseInGuest: false, hostVersion: '6.8', loopGapCycles: 12 }).reason).toMatch(/count 3000, thresh 128/)
  })
})
