#!/usr/bin/env node
// The import-cycle check: no circle of imports among the source files under the checked directories (default
// `core`). The graph is TypeScript's own: ts.preProcessFile() lists each file's imports and re-exports (type-only
// ones included — a circle of types is still a circle a reader must untangle) and ts.resolveModuleName() resolves
// them; circles are the strongly connected components of that graph (Tarjan). Usage:
// `node test/tools/import-cycles.ts [DIR ...]`; exits 1 and prints every circle, one file chain a line.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'

const SOURCE_EXT = /\.(ts|mts|cts|tsx)$/

function listFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...listFiles(p))
    else if (SOURCE_EXT.test(name) && !name.endsWith('.d.ts')) out.push(p)
  }
  return out
}

const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
}

/** The import graph of the files under `dirs`: file → the files (among them) it imports. */
export function importGraph(dirs: string[]): Map<string, string[]> {
  const files = dirs.flatMap((d) => listFiles(resolve(d)))
  const known = new Set(files)
  const graph = new Map<string, string[]>()
  for (const f of files) {
    const info = ts.preProcessFile(readFileSync(f, 'utf8'), true, true)
    const deps: string[] = []
    for (const imp of info.importedFiles) {
      const r = ts.resolveModuleName(imp.fileName, f, OPTIONS, ts.sys).resolvedModule
      if (r && known.has(resolve(r.resolvedFileName))) deps.push(resolve(r.resolvedFileName))
    }
    graph.set(f, deps)
  }
  return graph
}

/** The circles of a graph: each strongly connected component with more than one file (or a file importing itself),
 *  as one chain through it that returns to its start. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const sccs: string[][] = []
  const connect = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)) }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = []
      let w: string
      do { w = stack.pop()!; onStack.delete(w); scc.push(w) } while (w !== v)
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) sccs.push(scc)
    }
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v)
  return sccs.map((scc) => chainThrough(graph, new Set(scc)))
}

/** A closed walk from the component's first file (sorted) back to itself, staying inside the component (BFS). */
function chainThrough(graph: Map<string, string[]>, scc: Set<string>): string[] {
  const start = [...scc].sort()[0]!
  const prev = new Map<string, string>()
  const queue = [start]
  while (queue.length) {
    const v = queue.shift()!
    for (const w of graph.get(v) ?? []) {
      if (!scc.has(w)) continue
      if (w === start) {
        const path = [start]
        for (let x = v; x !== start; x = prev.get(x)!) path.splice(1, 0, x)
        return [...path, start]
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w) }
    }
  }
  return [start, start]
}

if (import.meta.main) {
  const dirs = process.argv.slice(2)
  const cycles = findCycles(importGraph(dirs.length ? dirs : ['core']))
  for (const c of cycles) console.error(`import circle: ${c.map((f) => relative(process.cwd(), f)).join(' → ')}`)
  if (cycles.length) {
    console.error(`${cycles.length} import circle(s): break each by moving the shared part into its own module, or by depending on an interface`)
    process.exit(1)
  }
  console.log(`no import circles under ${(dirs.length ? dirs : ['core']).join(', ')}`)
}
