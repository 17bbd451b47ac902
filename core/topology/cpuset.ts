// CPU sets as membership bitmaps: a Uint8Array of length nrCpus, 1 where the CPU is in the set.
// The binary operations need sets of the same host (same length) and throw RangeError otherwise,
// because mixing hosts is a programming error, not an input error.

export function emptyCpuSet(nrCpus: number): Uint8Array {
  checkNrCpus(nrCpus)
  return new Uint8Array(nrCpus)
}

export function fullCpuSet(nrCpus: number): Uint8Array {
  checkNrCpus(nrCpus)
  return new Uint8Array(nrCpus).fill(1)
}

/** The set of the given CPU numbers (duplicates and any order allowed). */
export function cpuListFromArray(nums: readonly number[], nrCpus: number): Uint8Array {
  const set = emptyCpuSet(nrCpus)
  for (const n of nums) {
    if (!Number.isInteger(n) || n < 0 || n >= nrCpus) throw new RangeError(`CPU ${n} is not in 0-${nrCpus - 1}`)
    set[n] = 1
  }
  return set
}

/** The CPU numbers of a set, ascending. */
export function cpusOf(set: Uint8Array): number[] {
  const out: number[] = []
  for (let i = 0; i < set.length; i++) if (set[i]) out.push(i)
  return out
}

export function hasCpu(set: Uint8Array, cpu: number): boolean {
  return set[cpu] === 1
}

/** The lowest CPU of the set, or -1 when it is empty (cpumask_first()). */
export function firstCpu(set: Uint8Array): number {
  return set.indexOf(1)
}

export function countCpus(set: Uint8Array): number {
  let n = 0
  for (let i = 0; i < set.length; i++) n += set[i]! ? 1 : 0
  return n
}

export function isEmpty(set: Uint8Array): boolean {
  return set.indexOf(1) < 0
}

export function equals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if ((a[i]! ? 1 : 0) !== (b[i]! ? 1 : 0)) return false
  return true
}

export function union(a: Uint8Array, b: Uint8Array): Uint8Array {
  return combine(a, b, (x, y) => x || y)
}

export function intersect(a: Uint8Array, b: Uint8Array): Uint8Array {
  return combine(a, b, (x, y) => x && y)
}

/** a \ b (cpumask_andnot()). */
export function subtract(a: Uint8Array, b: Uint8Array): Uint8Array {
  return combine(a, b, (x, y) => x && !y)
}

export function complement(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = a[i] ? 0 : 1
  return out
}

function combine(a: Uint8Array, b: Uint8Array, op: (x: boolean, y: boolean) => boolean): Uint8Array {
  if (a.length !== b.length) throw new RangeError(`CPU sets of different hosts (${a.length} and ${b.length} CPUs)`)
  const out = new Uint8Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = op(a[i] === 1, b[i] === 1) ? 1 : 0
  return out
}

function checkNrCpus(nrCpus: number): void {
  if (!Number.isInteger(nrCpus) || nrCpus < 1) throw new RangeError(`bad CPU count ${nrCpus}`)
}
