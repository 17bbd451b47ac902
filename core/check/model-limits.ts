// Limits the model has by construction, checked before a run so a profile beyond them is refused with the
// field and a fix rather than failing in the worker. Each mirrors the model's own check, named here.
import type { Issue } from '../schema/schema.ts'
import type { ModelInputs } from '../sim/model-inputs.ts'

/** Exit causes one model can count (HostModel.cause: `too many exit causes` beyond it). */
export const MAX_EXIT_CAUSES = 64
/** Causes every model registers whatever the profile (HostModel's constructor: its fixed `causeIds`, and
 *  the guest TLB-shootdown IPI shared by every VM). */
export const FIXED_EXIT_CAUSES = 18

/** The exit causes a model of these inputs registers: the fixed ones, each VM's IPI cause and VMM
 *  TLB-shootdown cause, and one per distinct device IRQ source name (HostModel.start). */
export function exitCauseCount(inputs: ModelInputs): number {
  const names = new Set<string>()
  for (const vm of inputs.vms) {
    names.add(`ipi:${vm.ipiUnicastCause}`)
    names.add(`tlb:${vm.name}`)
  }
  for (const q of inputs.irqs) names.add(`irq:${q.name}`)
  return FIXED_EXIT_CAUSES + names.size
}

export function modelLimitIssues(inputs: ModelInputs): Issue[] {
  const n = exitCauseCount(inputs)
  if (n <= MAX_EXIT_CAUSES) return []
  const irqNames = new Set(inputs.irqs.map((q) => q.name)).size
  return [{
    path: 'host.noise.irqs',
    value: `${inputs.irqs.length} sources with ${irqNames} distinct names, ${inputs.vms.length} VMs`,
    message: `need ${n} exit causes; the model counts at most ${MAX_EXIT_CAUSES} (${FIXED_EXIT_CAUSES} fixed, one per VM and one per distinct IRQ source name)`,
    fix: `give IRQ sources of one device the same name (they then share a row), or use fewer VMs: ${n - MAX_EXIT_CAUSES} cause(s) too many`,
  }]
}
