// The indirect cost of a VM exit: after vcpu_enter_guest()'s VM entry (vmx_vcpu_enter_exit() / svm_vcpu_enter_exit())
// the guest finds its caches, TLB and branch predictors holding the host's exit handling, and the guest work that
// follows runs slower until they are refilled. The slowdown is a property of that work, not a charge per exit: it is
// paid by the guest instructions that run after the entry, and it is bounded — caches that are already cold cannot be
// polluted twice, so a second exit before any guest work (back-to-back ICR writes, a TSC-deadline write after an
// interrupt's exit) leaves one refill pending, not two. Part of the refill already paid by work that an exit then
// suspended is not owed again; the part still unpaid stays pending, at most one refill's worth.
//
// The model keeps the pending refill per vCPU (VcpuState.pollution): vmEntry() raises it to the entry's sampled
// `indirect` cost (pollutionAfterEntry()), the next guest work takes it into its length (vcpu-work.ts startWork()),
// and an exit or interrupt that suspends that work hands back what it had not yet run off (unpaidPollution()).
//
// A work pays at most its own length (refillPaidBy()): the refill is the misses of the lines and translations that
// work touches, and a slowdown measured after a mode switch halves the instructions per cycle at worst (FlexSC,
// Soares & Stumm, OSDI 2010: user-mode IPC reduced by up to 50 % after a system call until the processor's structures
// refill) — so a short work (an interrupt handler's few hundred ns, kvm-unit-tests' x++ and EOI) runs at worst twice as
// long, and the rest of the refill stays pending for the work that touches the rest of the working set.

/** VM entry (vcpu_enter_guest()): the refill pending after an entry whose exit polluted by `cost` — the larger of
 *  the two, never their sum (the caches are cold once, however many exits came without guest work between them). */
export function pollutionAfterEntry(pending: number, cost: number): number {
  return pending > cost ? pending : cost
}

/** An exit or interrupt suspends guest work that took `pollution` of refill into its `lengthNs` and had run `done`.
 *  The refill is the misses of the lines the work touches as it goes, not a stall before its first instruction: the
 *  work runs at the lowered IPC throughout (FlexSC: IPC at worst halved until the structures refill), so `done` has
 *  paid the same share of the refill as of the work, and the rest is unpaid. (Charging the refill first made a vCPU
 *  that the host kept rescheduling within its first `pollution` ns — a directed-yield storm at 2:1 — redo the same
 *  refill at every switch-in and never get a lock's critical section or an interrupt handler done.) */
export function unpaidPollution(pollution: number, done: number, lengthNs: number): number {
  if (pollution <= 0 || done >= lengthNs) return 0
  return pollution * (1 - done / lengthNs)
}

/** A suspended work's unpaid refill goes back beside what stayed pending when it started (refillPaidBy() left the rest
 *  of the same refill there): the two are parts of one refill, so they add up — no VM entry came between them (an
 *  entry's own pollution is pollutionAfterEntry()'s). */
export function pollutionAfterSuspend(pending: number, unpaid: number): number {
  return pending + unpaid
}

/** The part of the pending refill a guest work of `workNs` pays (vcpu-work.ts startWork()): all of it, or at most the
 *  work's own length (IPC at worst halved); the rest stays pending. */
export function refillPaidBy(pending: number, workNs: number): number {
  return pending < workNs ? pending : workNs
}
