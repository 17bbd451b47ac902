import { describe, it, expect } from 'vitest'
import {
  ExitReason,
  EXIT_REASON_KEYS,
  EXIT_REASON_COUNT,
  vmxName,
  svmName,
  svmNote,
  vmxExitCode,
  svmExitCode,
  exitName,
  decodeVmxExit,
  decodeSvmExit,
} from '../../core/output/exit-names.ts'
import type { ExitReasonId } from '../../core/output/exit-names.ts'

describe('exit-names', () => {
  it('numbers model reasons 0..N-1 and names each after its VMX string (SVM-only reasons after their SVM one)', () => {
    expect(EXIT_REASON_KEYS.length).toBe(EXIT_REASON_COUNT)
    EXIT_REASON_KEYS.forEach((key, id) => {
      expect(ExitReason[key]).toBe(id)
      if (vmxExitCode(id as ExitReasonId) === null) expect(svmName(id as ExitReasonId)!.toUpperCase()).toBe(key)
      else expect(vmxName(id as ExitReasonId)).toBe(key)
    })
  })

  it('AVIC_INCOMPLETE_IPI is SVM exit 0x401 and has no VMX code', () => {
    expect(svmExitCode(ExitReason.AVIC_INCOMPLETE_IPI)).toBe(0x401)
    expect(exitName(ExitReason.AVIC_INCOMPLETE_IPI, 'svm')).toBe('avic_incomplete_ipi')
    expect(vmxExitCode(ExitReason.AVIC_INCOMPLETE_IPI)).toBeNull()
    expect(exitName(ExitReason.AVIC_INCOMPLETE_IPI, 'vmx')).toBe('UNKNOWN')
  })

  it('prints VMX names as VMX_EXIT_REASONS does', () => {
    expect(vmxName(ExitReason.EXTERNAL_INTERRUPT)).toBe('EXTERNAL_INTERRUPT')
    expect(vmxName(ExitReason.INTERRUPT_WINDOW)).toBe('INTERRUPT_WINDOW')
    expect(vmxName(ExitReason.INTERRUPT_WINDOW, true)).toBe('PENDING_INTERRUPT')
    expect(vmxExitCode(ExitReason.HLT)).toBe(12)
    expect(vmxExitCode(ExitReason.PREEMPTION_TIMER)).toBe(52)
    expect(decodeVmxExit(49)).toBe('EPT_MISCONFIG')
    expect(decodeVmxExit(1000)).toBe('UNKNOWN')
  })

  it('prints SVM names as SVM_EXIT_REASONS does', () => {
    expect(svmName(ExitReason.EXTERNAL_INTERRUPT)).toBe('interrupt')
    expect(svmName(ExitReason.HLT)).toBe('hlt')
    expect(svmName(ExitReason.IO_INSTRUCTION)).toBe('io')
    expect(svmName(ExitReason.VMCALL)).toBe('hypercall')
    expect(svmName(ExitReason.EPT_VIOLATION)).toBe('npf')
    expect(svmName(ExitReason.MSR_READ)).toBe('msr')
    expect(svmName(ExitReason.INTERRUPT_WINDOW)).toBe('vintr')
    expect(svmName(ExitReason.APIC_WRITE)).toBe('avic_unaccelerated_access')
    expect(svmExitCode(ExitReason.EPT_MISCONFIG)).toBe(0x400)
    expect(decodeSvmExit(0x401)).toBe('avic_incomplete_ipi')
    expect(decodeSvmExit(-1)).toBe('invalid_guest_state')
  })

  it('has no SVM name where SVM has no equivalent, with a note', () => {
    expect(svmName(ExitReason.PREEMPTION_TIMER)).toBeNull()
    expect(svmNote(ExitReason.PREEMPTION_TIMER)).toMatch(/preemption timer/i)
    expect(exitName(ExitReason.PREEMPTION_TIMER, 'svm')).toBe('UNKNOWN')
    expect(exitName(ExitReason.PREEMPTION_TIMER, 'vmx')).toBe('PREEMPTION_TIMER')
    for (const key of EXIT_REASON_KEYS) {
      const id = ExitReason[key]
      if (svmName(id) === null) expect(svmNote(id)).toBeTruthy()
      else expect(svmName(id)).not.toBe('UNKNOWN')
    }
  })
})
