// Exit-reason names as perf prints them per vendor.
import type { ConfigResult } from '../../../core/result.ts'

/** The row perf prints for host interrupts taken in guest mode: VMX `EXTERNAL_INTERRUPT`, SVM `interrupt`. */
export function externalInterruptReason(vendor: ConfigResult['vendor']): string {
  return vendor === 'svm' ? 'interrupt' : 'EXTERNAL_INTERRUPT'
}

/** True for the external-interrupt row of either vendor. */
export function isExternalInterrupt(reason: string): boolean {
  return reason === 'EXTERNAL_INTERRUPT' || reason === 'interrupt'
}
