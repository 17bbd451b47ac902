// Exit-reason names as perf kvm stat prints them. perf's exit_event_decode_key() /
// get_exit_reason() (tools/perf/builtin-kvm.c) looks the raw exit code up in
// VMX_EXIT_REASONS or SVM_EXIT_REASONS (arch/x86/include/uapi/asm/{vmx,svm}.h) and
// prints "UNKNOWN" for a code missing from the table.
// Strings checked against torvalds/linux uapi vmx.h (after the 2019 rename
// PENDING_INTERRUPT -> INTERRUPT_WINDOW, with INIT_SIGNAL .. NOTIFY) and svm.h
// (with the SEV-ES entries). Note SVM prints "io" for IOIO and "hypercall" for VMMCALL.

/** Raw VMX basic exit reason -> VMX_EXIT_REASONS string. */
export const VMX_EXIT_REASONS: Readonly<Record<number, string>> = {
  0: 'EXCEPTION_NMI',
  1: 'EXTERNAL_INTERRUPT',
  2: 'TRIPLE_FAULT',
  3: 'INIT_SIGNAL',
  7: 'INTERRUPT_WINDOW',
  8: 'NMI_WINDOW',
  9: 'TASK_SWITCH',
  10: 'CPUID',
  12: 'HLT',
  13: 'INVD',
  14: 'INVLPG',
  15: 'RDPMC',
  16: 'RDTSC',
  18: 'VMCALL',
  19: 'VMCLEAR',
  20: 'VMLAUNCH',
  21: 'VMPTRLD',
  22: 'VMPTRST',
  23: 'VMREAD',
  24: 'VMRESUME',
  25: 'VMWRITE',
  26: 'VMOFF',
  27: 'VMON',
  28: 'CR_ACCESS',
  29: 'DR_ACCESS',
  30: 'IO_INSTRUCTION',
  31: 'MSR_READ',
  32: 'MSR_WRITE',
  33: 'INVALID_STATE',
  34: 'MSR_LOAD_FAIL',
  36: 'MWAIT_INSTRUCTION',
  37: 'MONITOR_TRAP_FLAG',
  39: 'MONITOR_INSTRUCTION',
  40: 'PAUSE_INSTRUCTION',
  41: 'MCE_DURING_VMENTRY',
  43: 'TPR_BELOW_THRESHOLD',
  44: 'APIC_ACCESS',
  45: 'EOI_INDUCED',
  46: 'GDTR_IDTR',
  47: 'LDTR_TR',
  48: 'EPT_VIOLATION',
  49: 'EPT_MISCONFIG',
  50: 'INVEPT',
  51: 'RDTSCP',
  52: 'PREEMPTION_TIMER',
  53: 'INVVPID',
  54: 'WBINVD',
  55: 'XSETBV',
  56: 'APIC_WRITE',
  57: 'RDRAND',
  58: 'INVPCID',
  59: 'VMFUNC',
  60: 'ENCLS',
  61: 'RDSEED',
  62: 'PML_FULL',
  63: 'XSAVES',
  64: 'XRSTORS',
  67: 'UMWAIT',
  68: 'TPAUSE',
  74: 'BUS_LOCK',
  75: 'NOTIFY',
}

/** Raw SVM exit code -> SVM_EXIT_REASONS string (SVM_EXIT_ERR, -1, is "invalid_guest_state"). */
export const SVM_EXIT_REASONS: Readonly<Record<number, string>> = {
  0x000: 'read_cr0',
  0x002: 'read_cr2',
  0x003: 'read_cr3',
  0x004: 'read_cr4',
  0x008: 'read_cr8',
  0x010: 'write_cr0',
  0x012: 'write_cr2',
  0x013: 'write_cr3',
  0x014: 'write_cr4',
  0x018: 'write_cr8',
  0x020: 'read_dr0',
  0x021: 'read_dr1',
  0x022: 'read_dr2',
  0x023: 'read_dr3',
  0x024: 'read_dr4',
  0x025: 'read_dr5',
  0x026: 'read_dr6',
  0x027: 'read_dr7',
  0x030: 'write_dr0',
  0x031: 'write_dr1',
  0x032: 'write_dr2',
  0x033: 'write_dr3',
  0x034: 'write_dr4',
  0x035: 'write_dr5',
  0x036: 'write_dr6',
  0x037: 'write_dr7',
  0x040: 'DE excp',
  0x041: 'DB excp',
  0x043: 'BP excp',
  0x044: 'OF excp',
  0x045: 'BR excp',
  0x046: 'UD excp',
  0x047: 'NM excp',
  0x048: 'DF excp',
  0x04a: 'TS excp',
  0x04b: 'NP excp',
  0x04c: 'SS excp',
  0x04d: 'GP excp',
  0x04e: 'PF excp',
  0x050: 'MF excp',
  0x051: 'AC excp',
  0x052: 'MC excp',
  0x053: 'XF excp',
  0x060: 'interrupt',
  0x061: 'nmi',
  0x062: 'smi',
  0x063: 'init',
  0x064: 'vintr',
  0x065: 'cr0_sel_write',
  0x066: 'read_idtr',
  0x067: 'read_gdtr',
  0x068: 'read_ldtr',
  0x069: 'read_rt',
  0x06a: 'write_idtr',
  0x06b: 'write_gdtr',
  0x06c: 'write_ldtr',
  0x06d: 'write_rt',
  0x06e: 'rdtsc',
  0x06f: 'rdpmc',
  0x070: 'pushf',
  0x071: 'popf',
  0x072: 'cpuid',
  0x073: 'rsm',
  0x074: 'iret',
  0x075: 'swint',
  0x076: 'invd',
  0x077: 'pause',
  0x078: 'hlt',
  0x079: 'invlpg',
  0x07a: 'invlpga',
  0x07b: 'io',
  0x07c: 'msr',
  0x07d: 'task_switch',
  0x07e: 'ferr_freeze',
  0x07f: 'shutdown',
  0x080: 'vmrun',
  0x081: 'hypercall',
  0x082: 'vmload',
  0x083: 'vmsave',
  0x084: 'stgi',
  0x085: 'clgi',
  0x086: 'skinit',
  0x087: 'rdtscp',
  0x088: 'icebp',
  0x089: 'wbinvd',
  0x08a: 'monitor',
  0x08b: 'mwait',
  0x08d: 'xsetbv',
  0x08f: 'write_efer_trap',
  0x090: 'write_cr0_trap',
  0x0a2: 'invpcid',
  0x400: 'npf',
  0x401: 'avic_incomplete_ipi',
  0x402: 'avic_unaccelerated_access',
  0x403: 'vmgexit',
  0x80000001: 'vmgexit_mmio_read',
  0x80000002: 'vmgexit_mmio_write',
  0x80000003: 'vmgexit_nmi_complete',
  0x80000004: 'vmgexit_ap_hlt_loop',
  0x80000005: 'vmgexit_ap_jump_table',
  [-1]: 'invalid_guest_state',
}

/** get_exit_reason(): the table string, or "UNKNOWN". */
export function decodeVmxExit(code: number): string {
  return VMX_EXIT_REASONS[code] ?? 'UNKNOWN'
}

export function decodeSvmExit(code: number): string {
  return SVM_EXIT_REASONS[code] ?? 'UNKNOWN'
}

/** Exit reasons the model produces (small integers; not the hardware codes). */
export const ExitReason = {
  EXTERNAL_INTERRUPT: 0,
  HLT: 1,
  MWAIT_INSTRUCTION: 2,
  PAUSE_INSTRUCTION: 3,
  MSR_WRITE: 4,
  MSR_READ: 5,
  PREEMPTION_TIMER: 6,
  EPT_MISCONFIG: 7,
  EPT_VIOLATION: 8,
  IO_INSTRUCTION: 9,
  VMCALL: 10,
  INTERRUPT_WINDOW: 11,
  NMI_WINDOW: 12,
  APIC_WRITE: 13,
  APIC_ACCESS: 14,
  EOI_INDUCED: 15,
  CPUID: 16,
  CR_ACCESS: 17,
  XSETBV: 18,
  RDPMC: 19,
  EXCEPTION_NMI: 20,
  TPR_BELOW_THRESHOLD: 21,
  WBINVD: 22,
  INVLPG: 23,
  INVPCID: 24,
  MONITOR_INSTRUCTION: 25,
  TASK_SWITCH: 26,
  TRIPLE_FAULT: 27,
  INIT_SIGNAL: 28,
  BUS_LOCK: 29,
  /** SVM only (0x401): an AVIC IPI found a target with IsRunning = 0 (avic_incomplete_ipi_interception()). */
  AVIC_INCOMPLETE_IPI: 30,
} as const

export type ExitReasonKey = keyof typeof ExitReason
export type ExitReasonId = (typeof ExitReason)[ExitReasonKey]

/** Model id -> key, indexed by id. */
export const EXIT_REASON_KEYS: readonly ExitReasonKey[] = (Object.keys(ExitReason) as ExitReasonKey[]).sort(
  (a, b) => ExitReason[a] - ExitReason[b],
)
export const EXIT_REASON_COUNT: number = EXIT_REASON_KEYS.length

interface Mapping {
  /** VMX basic exit reason, or null where VMX has no equivalent (an SVM-only exit). */
  vmx: number | null
  /** SVM exit code, or null where SVM has no single equivalent. */
  svm: number | null
  /** Why the SVM side is approximate or missing. */
  svmNote?: string
}

// Indexed by ExitReasonId.
const MAP: readonly Mapping[] = [
  { vmx: 1, svm: 0x060 }, // EXTERNAL_INTERRUPT / interrupt
  { vmx: 12, svm: 0x078 }, // HLT / hlt
  { vmx: 36, svm: 0x08b }, // MWAIT_INSTRUCTION / mwait
  { vmx: 40, svm: 0x077, svmNote: 'PAUSE intercept (pause filter), not a PLE window' }, // PAUSE
  { vmx: 32, svm: 0x07c, svmNote: 'SVM has one "msr" exit for RDMSR and WRMSR (EXITINFO1 tells them apart)' },
  { vmx: 31, svm: 0x07c, svmNote: 'SVM has one "msr" exit for RDMSR and WRMSR (EXITINFO1 tells them apart)' },
  { vmx: 52, svm: null, svmNote: 'SVM has no VMX-preemption timer; KVM arms an hrtimer and the guest exits by "interrupt"' },
  { vmx: 49, svm: 0x400, svmNote: 'MMIO via reserved-bit NPT entries also exits as "npf"' },
  { vmx: 48, svm: 0x400 }, // EPT_VIOLATION / npf
  { vmx: 30, svm: 0x07b }, // IO_INSTRUCTION / io
  { vmx: 18, svm: 0x081 }, // VMCALL / hypercall (VMMCALL)
  { vmx: 7, svm: 0x064 }, // INTERRUPT_WINDOW / vintr
  { vmx: 8, svm: null, svmNote: 'SVM opens an NMI window by intercepting IRET ("iret") or uses vNMI' },
  { vmx: 56, svm: 0x402, svmNote: 'with AVIC, trapping APIC writes exit as avic_unaccelerated_access; without AVIC as "npf"' },
  { vmx: 44, svm: 0x402, svmNote: 'with AVIC; without AVIC an APIC MMIO access exits as "npf"' },
  { vmx: 45, svm: null, svmNote: 'no EOI-induced exit; a level-triggered EOI under AVIC traps as avic_unaccelerated_access' },
  { vmx: 10, svm: 0x072 }, // CPUID / cpuid
  { vmx: 28, svm: null, svmNote: 'SVM reports each register: read_crN / write_crN / cr0_sel_write' },
  { vmx: 55, svm: 0x08d }, // XSETBV / xsetbv
  { vmx: 15, svm: 0x06f }, // RDPMC / rdpmc
  { vmx: 0, svm: null, svmNote: 'SVM splits this into "nmi" and per-vector "XX excp" (e.g. "PF excp")' },
  { vmx: 43, svm: 0x018, svmNote: 'SVM intercepts CR8 writes instead ("write_cr8")' },
  { vmx: 54, svm: 0x089 }, // WBINVD / wbinvd
  { vmx: 14, svm: 0x079 }, // INVLPG / invlpg
  { vmx: 58, svm: 0x0a2 }, // INVPCID / invpcid
  { vmx: 39, svm: 0x08a }, // MONITOR_INSTRUCTION / monitor
  { vmx: 9, svm: 0x07d }, // TASK_SWITCH / task_switch
  { vmx: 2, svm: 0x07f }, // TRIPLE_FAULT / shutdown
  { vmx: 3, svm: 0x063 }, // INIT_SIGNAL / init
  { vmx: 74, svm: null, svmNote: 'no bus-lock exit in the SVM table checked here' },
  { vmx: null, svm: 0x401 }, // AVIC_INCOMPLETE_IPI / avic_incomplete_ipi (SVM only)
]

function mapping(id: number): Mapping {
  const m = MAP[id]
  if (m === undefined) throw new RangeError(`unknown exit reason id ${id}`)
  return m
}

/** The VMX exit code, or null for an SVM-only reason (AVIC_INCOMPLETE_IPI). */
export function vmxExitCode(id: ExitReasonId): number | null {
  return mapping(id).vmx
}

/**
 * The VMX name perf prints for a model exit reason. `legacy` gives the pre-2019
 * (before "KVM: VMX: Rename INTERRUPT_PENDING to INTERRUPT_WINDOW") spelling
 * PENDING_INTERRUPT for exit 7, as older perf binaries print it.
 */
export function vmxName(id: ExitReasonId, legacy = false): string {
  const code = mapping(id).vmx
  if (code === null) return 'UNKNOWN'
  if (legacy && code === 7) return 'PENDING_INTERRUPT'
  return decodeVmxExit(code)
}

export function svmExitCode(id: ExitReasonId): number | null {
  return mapping(id).svm
}

/** The SVM name perf prints, or null where SVM has no equivalent (see svmNote()). */
export function svmName(id: ExitReasonId): string | null {
  const code = mapping(id).svm
  return code === null ? null : decodeSvmExit(code)
}

export function svmNote(id: ExitReasonId): string | undefined {
  return mapping(id).svmNote
}

export type Isa = 'vmx' | 'svm'

/** Name for the given ISA; an SVM reason without equivalent falls back to "UNKNOWN". */
export function exitName(id: ExitReasonId, isa: Isa): string {
  return isa === 'vmx' ? vmxName(id) : (svmName(id) ?? 'UNKNOWN')
}
