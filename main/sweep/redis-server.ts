// A real redis-server on 127.0.0.1 and a free port, without persistence, for the queue tests and the bench
// (docs/sweep.md says how to run one for real: redis-server from Debian).
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'

export interface RedisServer { port: number; url: string; stop(): Promise<void> }

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1')
    c.once('error', () => resolve(false))
    c.once('connect', () => c.write('PING\r\n'))
    c.once('data', (d) => { c.destroy(); resolve(d.toString().startsWith('+PONG')) })
  })
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  const proc: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  // a missing binary: spawn's 'error' (ENOENT), not an exit — without a listener it would end this process (kept for
  // the process's life: a later 'error', a failed kill, must not end it either)
  let spawnError: Error | undefined
  proc.on('error', (e) => { spawnError ??= e })
  for (let i = 0; i < 100 && !spawnError && !(await answersPing(port)); i++) await new Promise((r) => setTimeout(r, 50))
  if (spawnError) {
    const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT'
    throw new Error(missing ? 'redis-server is not installed (npm test installs it; or apt-get install redis-server)' : `redis-server could not start: ${spawnError.message}`)
  }
  if (!(await answersPing(port))) { proc.kill('SIGKILL'); throw new Error(`redis-server did not answer on port ${port} (is it installed? npm test installs it)`) }
  return {
    port, url: `redis://127.0.0.1:${port}`,
    async stop() { proc.kill('SIGTERM'); await exited },
  }
}
