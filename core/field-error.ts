// An input problem told so that an ops engineer can act on it: which field, which value, what is
// wrong and how to fix it. `message` is the whole sentence: `field: "value": what — fix`.

export interface FieldError {
  field: string
  value: string
  message: string
  /** What is wrong, alone (the middle of `message`), for a path/value/what/fix issue. */
  what: string
  fix: string
  /** Character offset in the field's text where the problem was found, when it is one place. */
  offset?: number
}

const SHOW_MAX = 40
/** Longest value kept in FieldError.value; the message still tells the full length. */
const KEEP_MAX = 256

/** A value as messages quote it: JSON-escaped (control bytes visible), long values cut with "…". */
export function showValue(text: string, max = SHOW_MAX): string {
  if (text.length <= max) return JSON.stringify(text)
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`
}

export function fieldError(field: string, value: string, what: string, fix: string, offset?: number): FieldError {
  const kept = value.length > KEEP_MAX ? value.slice(0, KEEP_MAX) : value
  const err: FieldError = { field, value: kept, message: `${field}: ${showValue(value)}: ${what} — ${fix}`, what, fix }
  if (offset !== undefined) err.offset = offset
  return err
}
