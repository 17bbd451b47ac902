// `--queue redis://[user:password@]HOST:PORT[/DB]`: the Redis server BullMQ runs on.

export interface RedisConnection { host: string; port: number; db?: number; username?: string; password?: string }

export class QueueUrlError extends Error {}

export function parseQueueUrl(text: string): RedisConnection {
  let u: URL
  try { u = new URL(text) } catch { throw new QueueUrlError(`--queue ${JSON.stringify(text)} is not a URL — write redis://HOST:PORT, e.g. redis://127.0.0.1:6379`) }
  if (u.protocol !== 'redis:') throw new QueueUrlError(`--queue ${JSON.stringify(text)}: the scheme must be redis:// — write redis://HOST:PORT`)
  const port = u.port === '' ? 6379 : Number(u.port)
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined
  if (db !== undefined && !(Number.isInteger(db) && db >= 0 && db <= 15)) throw new QueueUrlError(`--queue ${JSON.stringify(text)}: the database ${JSON.stringify(u.pathname.slice(1))} is not 0 … 15`)
  return {
    host: u.hostname || '127.0.0.1', port,
    ...(db !== undefined ? { db } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  }
}
