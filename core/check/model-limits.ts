// Limits the model has by construction, checked before a run so a profile beyond them is refused with the
// field and a fix rather than failing in the worker. Each mirrors the model's own check, named here.
import type { ResolvedConfiguration } from '../profile/load-profile.ts'
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

/** The exit causes a configuration needs at least, before its model is set up (every VM's IPI cause may be
 *  the same one): lets a profile far over the limit be refused without setting up a large host. */
export function exitCauseLowerBound(cfg: ResolvedConfiguration): number {
  return FIXED_EXIT_CAUSES + 1 + cfg.vms.length + new Set(cfg.host.noise.irqs.map((q) => q.name)).size
}

/** An issue when `n` exit causes are over the limit: on `vms` when the VMs alone are too many. */
export function exitCauseIssues(n: number, vms: number, irqs: readonly { name: string }[]): Issue[] {
  if (n <= MAX_EXIT_CAUSES) return []
  const irqNames = new Set(irqs.map((q) => q.name)).size
  const maxVms = MAX_EXIT_CAUSES - FIXED_EXIT_CAUSES - 1
  if (vms > maxVms) {
    return [{ path: 'vms', value: `${vms} VMs`, message: `need ${n} exit causes (one per VM); the model counts at most ${MAX_EXIT_CAUSES}`, fix: `model at most ${maxVms} VMs (fewer with named IRQ sources): split the host into several profiles` }]
  }
  return [{
    path: 'host.noise.irqs',
    value: `${irqs.length} sources with ${irqNames} distinct names, ${vms} VMs`,
    message: `need ${n} exit causes; the model counts at most ${MAX_EXIT_CAUSES} (${FIXED_EXIT_CAUSES} fixed, one per VM and one per distinct IRQ source name)`,
    fix: `give IRQ sources of one device the same name (they then share a row), or use fewer VMs: ${n - MAX_EXIT_CAUSES} cause(s) too many`,
  }]
}

export function modelLimitIssues(inputs: ModelInputs): Issue[] {
  return exitCauseIssues(exitCauseCount(inputs), inputs.vms.length, inputs.irqs)
}
