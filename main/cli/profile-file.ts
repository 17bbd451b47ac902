// Reads and validates a profile file for the CLI; every problem is reported as `path: value message — fix`.
import { existsSync, readFileSync } from 'node:fs'
import { join, normalize, sep } from 'node:path'
import { checkProfile } from '../../core/check/check-profile.ts'
import type { CheckOptions } from '../../core/check/check-profile.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'
import type { Profile } from '../../core/profile/profile-schema.ts'
import { formatIssue } from '../../core/schema/schema.ts'
import { EXAMPLES_DIR } from '../paths.ts'

export class ProfileFileError extends Error {
  readonly lines: string[]
  constructor(message: string, lines: string[] = []) {
    super(message)
    this.lines = lines
  }
}

export interface ProfileFile { path: string; json: unknown; profile: Profile }

/** `examples/NAME.json` not found here: the example shipped with kvmbench (as `kvmbench examples` lists
 *  them), so the README's command works in any folder where kvmbench is installed. */
function resolveProfilePath(path: string): string {
  const rel = normalize(path)
  if (existsSync(path) || !rel.startsWith(`examples${sep}`)) return path
  const shipped = join(EXAMPLES_DIR, rel.slice('examples'.length + 1))
  return existsSync(shipped) ? shipped : path
}

export function readProfileFile(path: string): ProfileFile {
  let text: string
  try {
    text = readFileSync(resolveProfilePath(path), 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new ProfileFileError(code === 'ENOENT' ? `${path}: no such file — give the path of a profile, e.g. examples/posted-timer.json (see \`kvmbench examples\`)` : `${path}: cannot read: ${(e as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new ProfileFileError(`${path}: not valid JSON: ${(e as Error).message}`)
  }
  const r = loadProfile(json)
  if (!r.ok) throw new ProfileFileError(`${path}: not a valid profile (${r.issues.length} issue${r.issues.length === 1 ? '' : 's'}):`, r.issues.map(formatIssue))
  return { path, json, profile: r.profile }
}

/** Refuses what a run would refuse, as the app's profiles.validate and runs.start do (checkProfile): each
 *  chosen configuration set up as a run sets it up, the model's limits, and the work estimate against
 *  run.maxEvents. The CLI calls it once it knows the configurations and the duration it will run. */
export function assertRunnable(file: ProfileFile, o: CheckOptions = {}): void {
  const c = checkProfile(file.json, o)
  if (c.ok) return
  const lines = c.issues.map(formatIssue)
  // The work estimate counts --duration, which the message calls run.durationSec: name the option typed.
  if (o.durationSec !== undefined && c.issues.some((i) => i.path.endsWith('run.maxEvents'))) lines.push(`(--duration ${o.durationSec} stands for run.durationSec in this run: give a shorter --duration)`)
  throw new ProfileFileError(`${file.path}: cannot run as it is (${c.issues.length} issue${c.issues.length === 1 ? '' : 's'}):`, lines)
}
