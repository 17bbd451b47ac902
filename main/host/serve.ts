// `npm run serve [-- --port N] [--data DIR] [--workers N]`: the browser host. Serves the built renderer
// and the API on 127.0.0.1 and prints its URL. Build first (`npm run build`).
import { parseArgs } from 'node:util'
import { defaultDataDir } from '../paths.ts'
import { RendererMissingError, startBrowserHost } from './browser-host.ts'

export { startBrowserHost } from './browser-host.ts'
export type { BrowserHost, BrowserHostOptions } from './browser-host.ts'

const HELP = `Usage: npm run serve [-- --port N] [--data DIR] [--workers N] [--keep-runs N] [--renderer DIR]

Serves the kvmbench app and its API on http://127.0.0.1 for a browser on this machine.

Options:
  --port N        port to listen on (default 0: a free port)
  --data DIR      where profiles and run results are kept (default ${defaultDataDir()})
  --workers N     simulation worker processes (default: one per core)
  --keep-runs N   finished runs kept in DIR/results; older ones are deleted (default 200)
  --renderer DIR  the built renderer to serve (default out/renderer, made by npm run build)
  -h, --help      show this help
`

function intOption(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`kvmbench serve: --${name} ${v} is not valid — give an integer from ${min} to ${max}`)
    process.exit(2)
  }
  return n
}

async function main(): Promise<void> {
  let values: { port?: string; data?: string; workers?: string; renderer?: string; 'keep-runs'?: string; help?: boolean }
  try {
    values = parseArgs({ options: { port: { type: 'string' }, data: { type: 'string' }, workers: { type: 'string' }, renderer: { type: 'string' }, 'keep-runs': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values
  } catch (e) {
    console.error(`kvmbench serve: ${(e as Error).message}\n\n${HELP}`)
    process.exit(2)
  }
  if (values.help) {
    process.stdout.write(HELP)
    return
  }
  const port = intOption('port', values.port, 0, 65535) ?? 0
  const workers = intOption('workers', values.workers, 1, 256)
  const keepRuns = intOption('keep-runs', values['keep-runs'], 1, 100_000)
  try {
    const host = await startBrowserHost({ port, dataDir: values.data ?? defaultDataDir(), ...(values.renderer !== undefined ? { rendererDir: values.renderer } : {}), ...(workers !== undefined ? { workers } : {}), ...(keepRuns !== undefined ? { keepRuns } : {}) })
    console.log(`kvmbench browser host: ${host.url}`)
    // A stop keeps what finished: active runs are cancelled and written as "interrupted" first.
    const stop = (): void => {
      host.close().then(() => process.exit(0), (e: unknown) => {
        console.error(`kvmbench serve: stopping failed: ${(e as Error).message}`)
        process.exit(1)
      })
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  } catch (e) {
    if (e instanceof RendererMissingError) console.error(`kvmbench serve: ${e.message}`)
    else console.error(`kvmbench serve: ${(e as Error).message}`)
    process.exit(1)
  }
}

if (import.meta.main) await main()
