// Paths into plain JSON values as the profile's issues print them: `vms[0].pinning.vcpupin[3]`.

export type PathStep = string | number

/** Parses `a.b[0].c`; null when the text is not such a path. */
export function parsePath(path: string): PathStep[] | null {
  const steps: PathStep[] = []
  const re = /([A-Za-z_$][\w$]*)|\[(\d+)\]|(\.)/gy
  let expectName = true
  let m: RegExpExecArray | null
  let last = 0
  while ((m = re.exec(path)) !== null) {
    last = re.lastIndex
    if (m[1] !== undefined) { if (!expectName) return null; steps.push(m[1]); expectName = false }
    else if (m[2] !== undefined) { if (expectName) return null; steps.push(Number(m[2])) }
    else { if (expectName) return null; expectName = true }
  }
  if (last !== path.length || expectName || steps.length === 0) return null
  return steps
}

function own(o: unknown, k: PathStep): boolean {
  if (typeof k === 'number') return Array.isArray(o) && k < o.length
  return typeof o === 'object' && o !== null && !Array.isArray(o) && Object.prototype.hasOwnProperty.call(o, k)
}

/** The value at the path, or undefined when a step is missing. */
export function getPath(root: unknown, steps: readonly PathStep[]): unknown {
  let o = root
  for (const k of steps) {
    if (!own(o, k)) return undefined
    o = (o as Record<PathStep, unknown>)[k]
  }
  return o
}

/** Sets the value at an existing path (every step but the last must exist); returns false otherwise. */
export function setPath(root: unknown, steps: readonly PathStep[], value: unknown): boolean {
  let o = root
  for (let i = 0; i < steps.length - 1; i++) {
    if (!own(o, steps[i]!)) return false
    o = (o as Record<PathStep, unknown>)[steps[i]!]
  }
  const k = steps[steps.length - 1]!
  if (typeof k === 'number' ? !Array.isArray(o) || k >= o.length : typeof o !== 'object' || o === null || Array.isArray(o)) return false
  ;(o as Record<PathStep, unknown>)[k] = value
  return true
}

/** JSON with object keys sorted at every level: the same value gives the same text in any process. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
  }
  return JSON.stringify(v)
}
