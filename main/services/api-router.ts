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

export function createApiRouter(handlers: ApiHandlers): ApiRouter {
  return {
    async handle(channel, payload) {
      if (!isChannel(channel)) return { ok: false, error: { code: 'bad-request', message: `unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}` } }
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
