// The run settings typed above the workbench (duration, seed), checked as they are typed: the same
// bounds runs.start accepts (core/api/protocol.ts), a message naming the field, the value and the fix.
// Empty means "as the profile says". Pure.

export const DURATION_MIN_SEC = 0.001
export const DURATION_MAX_SEC = 3600
export const SEED_MAX = 2 ** 32 - 1

export type SettingCheck = { ok: true; value: number | undefined } | { ok: false; message: string }

export function checkDuration(text: string): SettingCheck {
  const t = text.trim()
  if (t === '') return { ok: true, value: undefined }
  const n = Number(t)
  if (!Number.isFinite(n)) return { ok: false, message: `duration “${t.slice(0, 24)}” is not a number — write virtual seconds, e.g. 0.5, or leave it empty for the profile's` }
  if (n < DURATION_MIN_SEC || n > DURATION_MAX_SEC) return { ok: false, message: `duration ${t} s is out of range — use ${DURATION_MIN_SEC} to ${DURATION_MAX_SEC} seconds` }
  return { ok: true, value: n }
}

export function checkSeed(text: string): SettingCheck {
  const t = text.trim()
  if (t === '') return { ok: true, value: undefined }
  const n = Number(t)
  if (!Number.isInteger(n) || n < 0 || n > SEED_MAX) return { ok: false, message: `seed “${t.slice(0, 24)}” is not a whole number from 0 to ${SEED_MAX} — write e.g. 42, or leave it empty for the profile's` }
  return { ok: true, value: n }
}
