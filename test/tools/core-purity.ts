#!/usr/bin/env node
// The purity check for core/: the simulation must run unchanged in Node, a worker, a utility process and
// a browser, so no file under the checked directory may import Electron or a Node builtin, or touch a
// DOM or Node global. Usage: `node test/tools/core-purity.ts [DIR ...]` (default `core`). Exits 1 and
// prints `file:line: message` for every violation. The check parses each file with TypeScript's parser,
// so comments, strings and property names (`x.process`) do not count, and locally declared names do not
// count either.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative } from 'node:path'
import ts from 'typescript'

export interface Violation { file: string; line: number; message: string }

/** Packages that only work in Electron or Node, besides the builtins. */
const FORBIDDEN_PACKAGES = ['electron', 'electron-store', 'conf', 'ws', 'original-fs']

/** Globals of the DOM or of Node (not of ECMAScript). */
export const FORBIDDEN_GLOBALS = new Set([
  // DOM
  'window', 'document', 'navigator', 'location', 'localStorage', 'sessionStorage', 'indexedDB', 'fetch',
  'XMLHttpRequest', 'WebSocket', 'Worker', 'alert', 'confirm', 'prompt', 'requestAnimationFrame',
  'cancelAnimationFrame', 'HTMLElement', 'Element', 'Node', 'self', 'postMessage', 'addEventListener',
  // Node
  'process', 'require', 'module', 'exports', 'Buffer', 'global', 'setImmediate', 'clearImmediate',
  '__dirname', '__filename',
])

const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self'])
const SOURCE_EXT = /\.(ts|mts|cts|tsx|js|mjs|cjs|vue)$/

export function forbiddenModule(spec: string): string | undefined {
  if (spec.startsWith('node:')) return 'a Node builtin'
  const top = spec.split('/')[0] ?? spec
  if (builtinModules.includes(spec) || builtinModules.includes(top)) return 'a Node builtin'
  if (FORBIDDEN_PACKAGES.includes(top) || (spec.startsWith('@electron/') )) return 'an Electron/Node-only package'
  return undefined
}

function listFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules') continue
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...listFiles(p))
    else if (SOURCE_EXT.test(name)) out.push(p)
  }
  return out
}

/** Names declared anywhere in the file (variables, parameters, functions, classes, imports, types). */
function declaredNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>()
  const addBinding = (n: ts.BindingName): void => {
    if (ts.isIdentifier(n)) names.add(n.text)
    else for (const el of n.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name)
  }
  const visit = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n)) addBinding(n.name)
    else if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isEnumDeclaration(n) || ts.isFunctionExpression(n) || ts.isClassExpression(n)) && n.name) names.add(n.name.text)
    else if (ts.isImportClause(n) && n.name) names.add(n.name.text)
    else if (ts.isNamespaceImport(n) || ts.isImportSpecifier(n) || ts.isTypeParameterDeclaration(n)) names.add(n.name.text)
    ts.forEachChild(n, visit)
  }
  visit(sf)
  return names
}

/** True when the identifier is a name in a declaration or a property key, not a reference. */
function isNotAReference(id: ts.Identifier): boolean {
  const p = id.parent
  if (!p) return true
  if ((ts.isPropertyAccessExpression(p) || ts.isQualifiedName(p)) && (ts.isPropertyAccessExpression(p) ? p.name === id : p.right === id)) return true
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isEnumMember(p) || ts.isPropertyAssignment(p)) && p.name === id) return true
  if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) && p.propertyName === id) return true
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return true
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p) || ts.isInterfaceDeclaration(p) || ts.isTypeAliasDeclaration(p) || ts.isImportClause(p) || ts.isNamespaceImport(p) || ts.isImportSpecifier(p) || ts.isTypeParameterDeclaration(p)) && (p as { name?: ts.Node }).name === id) return true
  if (ts.isBindingElement(p) && p.propertyName === id) return true
  return false
}

export function checkSource(file: string, text: string): Violation[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.vue') ? ts.ScriptKind.TS : undefined)
  const out: Violation[] = []
  const at = (n: ts.Node, message: string): void => {
    out.push({ file, line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, message })
  }
  const checkSpec = (lit: ts.Node | undefined, how: string): void => {
    if (!lit || !ts.isStringLiteralLike(lit)) return
    const why = forbiddenModule(lit.text)
    if (why) at(lit, `${how} '${lit.text}' (${why})`)
  }
  for (const ref of sf.typeReferenceDirectives) {
    if (ref.fileName === 'node' || ref.fileName.startsWith('electron')) out.push({ file, line: sf.getLineAndCharacterOfPosition(ref.pos).line + 1, message: `/// <reference types="${ref.fileName}" />` })
  }
  for (const ref of sf.libReferenceDirectives) {
    if (/^dom/i.test(ref.fileName)) out.push({ file, line: sf.getLineAndCharacterOfPosition(ref.pos).line + 1, message: `/// <reference lib="${ref.fileName}" />` })
  }
  const locals = declaredNames(sf)
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n)) checkSpec(n.moduleSpecifier, 'imports')
    else if (ts.isExportDeclaration(n)) checkSpec(n.moduleSpecifier, 're-exports')
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) checkSpec(n.moduleReference.expression, 'imports')
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) checkSpec(n.argument.literal, 'imports the type of')
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) checkSpec(n.arguments[0], 'imports')
    else if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require') checkSpec(n.arguments[0], 'requires')
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && GLOBAL_OBJECTS.has(n.expression.text) && FORBIDDEN_GLOBALS.has(n.name.text) && !locals.has(n.expression.text)) {
      at(n, `uses the global '${n.name.text}' (via ${n.expression.text})`)
    } else if (ts.isElementAccessExpression(n) && ts.isIdentifier(n.expression) && GLOBAL_OBJECTS.has(n.expression.text) && ts.isStringLiteralLike(n.argumentExpression) && FORBIDDEN_GLOBALS.has(n.argumentExpression.text)) {
      at(n, `uses the global '${n.argumentExpression.text}' (via ${n.expression.text})`)
    } else if (ts.isIdentifier(n) && FORBIDDEN_GLOBALS.has(n.text) && !locals.has(n.text) && !isNotAReference(n)) {
      at(n, `uses the global '${n.text}'`)
    }
    ts.forEachChild(n, visit)
  }
  visit(sf)
  return out
}

/** Every violation under `dir` (recursively), with paths relative to `base`. */
export function checkPurity(dir: string, base: string = process.cwd()): Violation[] {
  return listFiles(dir).flatMap((f) => {
    let text = readFileSync(f, 'utf8')
    if (f.endsWith('.vue')) text = [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n')
    return checkSource(relative(base, f) || f, text)
  })
}

if (import.meta.main) {
  const dirs = process.argv.slice(2)
  if (dirs.includes('--help') || dirs.includes('-h')) {
    console.log('Usage: node test/tools/core-purity.ts [DIR ...]   (default: core)\nFails when a file imports Electron or a Node builtin, or uses a DOM/Node global.')
    process.exit(0)
  }
  const targets = dirs.length ? dirs : ['core']
  let violations: Violation[] = []
  for (const d of targets) {
    try {
      violations = violations.concat(checkPurity(d))
    } catch (e) {
      console.error(`core-purity: cannot read ${d}: ${(e as Error).message}`)
      process.exit(2)
    }
  }
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`)
  if (violations.length) {
    console.error(`core-purity: ${violations.length} violation(s) in ${targets.join(', ')} — core/ must stay pure TypeScript (no Electron, Node or DOM APIs)`)
    process.exit(1)
  }
  console.log(`core-purity: ${targets.join(', ')} is pure (no Electron, Node or DOM APIs)`)
}
