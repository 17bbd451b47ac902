// Channel → handler, shared by both hosts (Electron IPC and the browser host's HTTP endpoint). Every
// payload is validated with the protocol's schema before a handler sees it, and every outcome comes back
// as a value: errors are ApiErrors, never thrown to the transport.
import { ApiFailure, isChannel, parseRequest } from '../../core/api/protocol.ts'
import type { ApiError, Channel, RequestOf, ResponseMap } from '../../core/api/protocol.ts'

export type ApiResult<T = unknown> = { ok: true; value: T } | { ok: false; error: ApiError }

export type ApiHandlers = { [C in Channel]: (req: RequestOf<C>) => ResponseMap[C] | Promise<ResponseMap[C]> }

export interface ApiRouter {
  handle(channel: unknown, payload: unknown): Promise<ApiResult>
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiFailure) return e.error
  console.error('kvmbench: unexpected error in a service:', e)
  return { code: 'failed', message: e instanceof Error ? e.message : String(e) }
}

/** Deepest nesting of a payload (a profile is about 8 levels deep) and most values in one; both bound the
 *  work of the validators, which recurse, and reject cyclic payloads (IPC's structured clone allows them). */
export const MAX_PAYLOAD_DEPTH = 64
export const MAX_PAYLOAD_VALUES = 1_000_000

/** Why a payload is too deep or too large to validate, or undefined. Iterative: never overflows the stack.
 *  Every value counts — the payload itself, each object or array, each number, string, boolean or null in
 *  them — and the walk stops at the first value over the limit. */
export function payloadShapeProblem(payload: unknown, maxDepth = MAX_PAYLOAD_DEPTH, maxValues = MAX_PAYLOAD_VALUES): string | undefined {
  const tooMany = `the payload holds more than ${maxValues} values`
  if (typeof payload !== 'object' || payload === null) return maxValues < 1 ? tooMany : undefined
  const stack: [object, number][] = [[payload, 0]]
  let values = 1
  while (stack.length) {
    const [v, depth] = stack.pop()!
    if (depth >= maxDepth) return `the payload is nested deeper than ${maxDepth} levels`
    const children = Array.isArray(v) ? v : Object.values(v)
    values += children.length
    if (values > maxValues) return tooMany
    for (const x of children) if (typeof x === 'object' && x !== null) stack.push([x, depth + 1])
  }
  return undefined
}

export function createApiRouter(handlers: ApiHandlers): ApiRouter {
  return {
    async handle(channel, payload) {
      if (!isChannel(channel)) return { ok: false, error: { code: 'bad-request', message: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } }
      const shape = payloadShapeProblem(payload)
      if (shape) return { ok: false, error: { code: 'bad-request', message: `${channel}: ${shape}` } }
      try {
        const req = parseRequest(channel, payload)
        const handler = handlers[channel] as (r: unknown) => unknown
        return { ok: true, value: await handler(req) }
      } catch (e) {
        return { ok: false, error: toApiError(e) }
      }
    },
  }
}
