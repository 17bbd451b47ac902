// Which spinlock the guest uses (arch/x86/kernel/kvm.c kvm_spinlock_init()).
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export interface SpinlockInputs { pvUnhalt: boolean; realtimeHint: boolean; nopvspin: boolean; vcpus: number; guestVersion: string }
export type SpinlockKind = 'pvqspinlock' | 'native qspinlock' | 'test-and-set'

/** kvm_spinlock_init(): no PV_UNHALT ⇒ virt_spin_lock stays on (test-and-set); REALTIME hint, one CPU or
 *  nopvspin (v5.5+, Zhenzhong Duan's series, Oct 2019) ⇒ native qspinlock; otherwise pvqspinlock (pv_wait by HLT,
 *  pv_kick by KVM_HC_KICK_CPU). */
export function kvmSpinlockInit(i: SpinlockInputs): { kind: SpinlockKind; reason: string } {
  if (!i.pvUnhalt) return { kind: 'test-and-set', reason: 'no KVM_FEATURE_PV_UNHALT ("PV spinlocks disabled, no host support"; HLT passthrough hides it): virt_spin_lock() test-and-set stays on' }
  if (i.realtimeHint) return { kind: 'native qspinlock', reason: 'KVM_HINTS_REALTIME: "PV spinlocks disabled with KVM_HINTS_REALTIME hints"' }
  if (i.vcpus === 1) return { kind: 'native qspinlock', reason: 'one possible CPU' }
  if (i.nopvspin && versionAtLeast(i.guestVersion, '5.5')) return { kind: 'native qspinlock', reason: 'nopvspin on the guest command line' }
  return { kind: 'pvqspinlock', reason: 'PV_UNHALT present, no REALTIME hint: waiters halt (pv_wait) and are kicked by hypercall' }
}
