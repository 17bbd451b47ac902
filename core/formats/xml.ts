// XML for libvirt domain documents, read with saxes (a strict, streaming, pure-JS XML parser: no DTD
// processing, only the five predefined entities and character references expand). On top of it: a
// DOCTYPE is refused outright (no entity definitions, no "billion laughs", no external entities),
// and size, depth, element count and attribute count are bounded while parsing. Every error names
// line:column. Several top-level elements (`virsh dumpxml a; virsh dumpxml b`) are read by
// parseXmlDocuments(); parseXml() wants exactly one.
import { SaxesParser } from 'saxes'
import { fieldError } from '../field-error.ts'
import type { FieldError } from '../field-error.ts'
import { guardInput, lineCol } from './format-result.ts'

export interface XmlElement {
  name: string
  attrs: Record<string, string>
  children: XmlNode[]
  line: number
  col: number
}
export type XmlNode = XmlElement | { text: string }

export interface XmlLimits {
  maxChars: number
  maxDepth: number
  maxElements: number
  maxAttributes: number
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxChars: 1024 * 1024, maxDepth: 64, maxElements: 100_000, maxAttributes: 64 }

export type XmlResult = { ok: true; root: XmlElement } | { ok: false; error: FieldError }
export type XmlDocumentsResult = { ok: true; roots: XmlElement[] } | { ok: false; error: FieldError }

class XmlError extends Error {
  readonly at: number
  readonly fix: string
  constructor(at: number, message: string, fix: string) {
    super(message)
    this.at = at
    this.fix = fix
  }
}

const FIX = 'give the XML as `virsh dumpxml NAME` prints it'

/** Parses one XML document; `what` names the input in messages (e.g. "libvirt XML"). */
export function parseXml(text: string, what = 'XML', limits: XmlLimits = DEFAULT_XML_LIMITS): XmlResult {
  const r = parseXmlDocuments(text, what, limits)
  if (!r.ok) return r
  if (r.roots.length !== 1) {
    const second = r.roots[1]
    const where = second ? `${what} line ${second.line}:${second.col}` : what
    return { ok: false, error: fieldError(where, second ? `<${second.name}>` : text.slice(0, 30), r.roots.length ? `has ${r.roots.length} top-level elements where one document has one` : 'has no element', 'give one document') }
  }
  return { ok: true, root: r.roots[0]! }
}

/** Parses one or more XML documents written one after the other (each may start with an XML declaration). */
export function parseXmlDocuments(text: string, what = 'XML', limits: XmlLimits = DEFAULT_XML_LIMITS): XmlDocumentsResult {
  const guard = guardInput(text, what, limits.maxChars, 'give an XML document')
  if (guard) return { ok: false, error: guard }
  try {
    return { ok: true, roots: read(text, limits) }
  } catch (e) {
    if (!(e instanceof XmlError)) throw e
    const { line, col } = lineCol(text, e.at)
    return { ok: false, error: fieldError(`${what} line ${line}:${col}`, text.slice(e.at, e.at + 30), e.message, e.fix, e.at) }
  }
}

function read(source: string, limits: XmlLimits): XmlElement[] {
  const doctype = /<!DOCTYPE/i.exec(source)
  if (doctype) throw new XmlError(doctype.index, 'a DOCTYPE (DTD) is not accepted: entity definitions are refused and nothing is expanded', 'remove the <!DOCTYPE …> — libvirt domain XML has none')
  // Fragment mode reads several top-level elements; an XML declaration (allowed before each document)
  // is blanked to spaces of the same length so that offsets, lines and columns stay those of the input.
  const text = source.replace(/<\?xml\s[^?]*\?>/g, (m) => m.replace(/[^\n]/g, ' '))
  const parser = new SaxesParser({ fragment: true, position: true })
  const roots: XmlElement[] = []
  const stack: XmlElement[] = []
  let elements = 0
  let start = { line: 1, col: 1 }
  const fail = (message: string, fix: string): never => { throw new XmlError(Math.max(0, parser.position - 1), message, fix) }
  let closing = false
  parser.on('error', (e) => {
    if (e instanceof XmlError) throw e
    // saxes prefixes "line:column: " (1-based line, 0-based column); the offset is where it stopped.
    const what = e.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '')
    if (closing) throw new XmlError(text.length, `the file ends before the XML does (${what}): it is cut off`, 'give the whole file')
    if (what === 'undefined entity') {
      const amp = text.lastIndexOf('&', parser.position - 1)
      const name = text.slice(amp, parser.position).replace(/;.*$/s, ';')
      throw new XmlError(amp, `${name} is not defined: only &lt; &gt; &amp; &quot; &apos; and character references (&#N;) are`, 'write the character itself, or one of those five')
    }
    fail(`is not well-formed XML: ${what}`, FIX)
  })
  parser.on('opentagstart', (tag) => {
    // saxes has read "<name" and the character after it: the element starts at its "<" (1-based column)
    start = { line: parser.line, col: Math.max(1, parser.column - tag.name.length - 1) }
    if (stack.length >= limits.maxDepth) fail(`elements are nested more than ${limits.maxDepth} deep`, 'a libvirt domain is far shallower: check the file')
    if (++elements > limits.maxElements) fail(`more than ${limits.maxElements} elements`, 'give domain definitions, not a dump')
  })
  parser.on('opentag', (tag) => {
    if (Object.keys(tag.attributes).length > limits.maxAttributes) fail(`more than ${limits.maxAttributes} attributes on <${tag.name.slice(0, 40)}>`, 'check the file')
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k] = typeof v === 'string' ? v : v.value
    const el: XmlElement = { name: tag.name, attrs, children: [], line: start.line, col: start.col }
    const parent = stack[stack.length - 1]
    if (parent) parent.children.push(el)
    else roots.push(el)
    if (!tag.isSelfClosing) stack.push(el)
  })
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop()
  })
  const onText = (t: string): void => {
    const parent = stack[stack.length - 1]
    if (parent) parent.children.push({ text: t })
    else if (t.trim() !== '') {
      // saxes reports text when the next '<' (or the end) comes: point at the text's first character
      const from = Math.max(0, parser.position - t.length - 1)
      const at = from + Math.max(0, text.slice(from).search(/\S/))
      throw new XmlError(at, `has text ${roots.length ? 'after' : 'before'} the root element`, FIX)
    }
  }
  parser.on('text', onText)
  parser.on('cdata', onText)
  parser.write(text)
  closing = true
  if (stack.length) throw new XmlError(text.length, `the file ends inside <${stack[stack.length - 1]!.name}> (opened at line ${stack[stack.length - 1]!.line}): it is cut off`, 'give the whole file')
  parser.close()
  if (!roots.length) throw new XmlError(0, 'has no element', FIX)
  return roots
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => 'name' in c && (name === undefined || c.name === name))
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  return childElements(el, name)[0]
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => ('text' in c ? c.text : '')).join('')
}
