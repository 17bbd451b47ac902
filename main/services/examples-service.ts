// examples.* : the example profiles shipped in examples/*.json, titled by each profile's own name and
// description.
import { readdir, readFile } from 'node:fs/promises'
import { basename, join, resolve, sep } from 'node:path'
import { ApiFailure } from '../../core/api/protocol.ts'
import type { ExampleSummary, RequestOf, ResponseMap } from '../../core/api/protocol.ts'

/** The first sentence (or line) of a description, at most 200 characters. */
export function summarize(description: string): string {
  const line = description.trim().split(/\n\s*\n|\n/)[0] ?? ''
  const sentence = /^(.+?[.!?])(\s|$)/.exec(line)?.[1] ?? line
  return sentence.length > 200 ? `${sentence.slice(0, 199)}…` : sentence
}

export class ExamplesService {
  private readonly dir: string

  constructor(dir: string) {
    this.dir = resolve(dir)
  }

  async list(): Promise<ExampleSummary[]> {
    let names: string[]
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json')).sort()
    } catch {
      return []
    }
    const out: ExampleSummary[] = []
    for (const file of names) {
      const name = basename(file, '.json')
      try {
        const p = JSON.parse(await readFile(join(this.dir, file), 'utf8')) as { name?: unknown; description?: unknown }
        out.push({ name, title: typeof p.name === 'string' && p.name ? p.name : name, summary: typeof p.description === 'string' ? summarize(p.description) : '' })
      } catch {
        out.push({ name, title: name, summary: 'This example could not be read (invalid JSON).' })
      }
    }
    return out
  }

  async get(req: RequestOf<'examples.get'>): Promise<ResponseMap['examples.get']> {
    const name = req.name.replace(/\.json$/, '')
    const file = resolve(this.dir, `${name}.json`)
    if (!file.startsWith(this.dir + sep)) throw new ApiFailure({ code: 'bad-request', message: `${JSON.stringify(req.name)} is not an example name` })
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch {
      throw new ApiFailure({ code: 'not-found', message: `there is no example called ${JSON.stringify(name)} — see examples.list` })
    }
    try {
      return { name, profile: JSON.parse(text) as unknown }
    } catch (e) {
      throw new ApiFailure({ code: 'failed', message: `examples/${name}.json is not valid JSON: ${(e as Error).message}` })
    }
  }
}
