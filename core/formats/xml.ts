// A small, safe XML reader for libvirt domain XML, written for core/ (no DOMParser there). It reads
// elements, attributes, text, CDATA, comments and processing instructions; it refuses a DOCTYPE
// (so no DTD, no entity definitions, no "billion laughs") and expands only the five predefined
// entities and numeric character references. Size, depth, element count and attribute count are
// bounded; every error names line:column.
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

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

class XmlError extends Error {
  readonly at: number
  readonly fix: string
  constructor(at: number, message: string, fix: string) {
    super(message)
    this.at = at
    this.fix = fix
  }
}

const isNameStart = (c: string): boolean => /[A-Za-z_:]/.test(c) || c.charCodeAt(0) > 0x7f
const isNameChar = (c: string): boolean => /[A-Za-z0-9_:.-]/.test(c) || c.charCodeAt(0) > 0x7f
const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r'

/** Parses one XML document; `what` names the input in messages (e.g. "libvirt XML"). */
export function parseXml(text: string, what = 'XML', limits: XmlLimits = DEFAULT_XML_LIMITS): XmlResult {
  const guard = guardInput(text, what, limits.maxChars, 'give an XML document')
  if (guard) return { ok: false, error: guard }
  try {
    return { ok: true, root: new Reader(text, limits).document() }
  } catch (e) {
    if (!(e instanceof XmlError)) throw e
    const { line, col } = lineCol(text, e.at)
    return { ok: false, error: fieldError(`${what} line ${line}:${col}`, text.slice(e.at, e.at + 30), e.message, e.fix, e.at) }
  }
}

class Reader {
  private i = 0
  private elements = 0
  private readonly s: string
  private readonly limits: XmlLimits
  constructor(s: string, limits: XmlLimits) {
    this.s = s
    this.limits = limits
  }

  // Where the last element started, as line and column: elements come in document order, so each
  // position is found by counting newlines from the previous one (lineCol() from the start of the text
  // for every element made a 100 000-element document take minutes: quadratic work).
  private lcAt = 0
  private lcLine = 1
  private lcLineStart = 0

  private lineColAt(at: number): { line: number; col: number } {
    if (at < this.lcAt) { this.lcAt = 0; this.lcLine = 1; this.lcLineStart = 0 }
    for (let k = this.lcAt; k < at; k++) {
      if (this.s.charCodeAt(k) === 0x0a) { this.lcLine++; this.lcLineStart = k + 1 }
    }
    this.lcAt = at
    return { line: this.lcLine, col: at - this.lcLineStart + 1 }
  }

  private fail(message: string, fix: string, at = this.i): never {
    throw new XmlError(at, message, fix)
  }

  document(): XmlElement {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1
    this.misc()
    if (this.i >= this.s.length) this.fail('the document has no root element', 'give a <domain> document')
    if (this.s[this.i] !== '<') this.fail(`text ${JSON.stringify(this.s.slice(this.i, this.i + 10))} before the root element`, 'start the file with <domain …> (or an <?xml …?> declaration)')
    const root = this.element(1)
    this.misc()
    if (this.i < this.s.length) this.fail('content after the end of the root element', 'keep one root element per file')
    return root
  }

  /** Whitespace, comments and processing instructions outside the root; a DOCTYPE is refused. */
  private misc(): void {
    for (;;) {
      while (isWs(this.s[this.i])) this.i++
      if (this.s.startsWith('<!--', this.i)) this.comment()
      else if (this.s.startsWith('<?', this.i)) this.pi()
      else if (this.s.startsWith('<!DOCTYPE', this.i) || this.s.startsWith('<!doctype', this.i)) {
        this.fail('a DOCTYPE (DTD) is not accepted: DTDs and entity definitions are never expanded', 'remove the <!DOCTYPE …> declaration; libvirt domain XML has none')
      } else return
    }
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4)
    if (end < 0) this.fail('the comment is not closed', 'end the comment with "-->"')
    this.i = end + 3
  }

  private pi(): void {
    const end = this.s.indexOf('?>', this.i + 2)
    if (end < 0) this.fail('the processing instruction is not closed', 'end it with "?>"')
    this.i = end + 2
  }

  private name(): string {
    const start = this.i
    if (this.i >= this.s.length || !isNameStart(this.s[this.i]!)) this.fail(`expected a name but found ${this.show()}`, 'write element and attribute names with letters, digits, "-", "_", ":" or "."')
    while (this.i < this.s.length && isNameChar(this.s[this.i]!)) this.i++
    if (this.i - start > 256) this.fail('the name is longer than 256 characters', 'use a shorter name', start)
    return this.s.slice(start, this.i)
  }

  private show(): string {
    return this.i >= this.s.length ? 'the end of the file' : JSON.stringify(this.s.slice(this.i, this.i + 12))
  }

  private element(depth: number): XmlElement {
    if (depth > this.limits.maxDepth) this.fail(`elements are nested more than ${this.limits.maxDepth} deep`, 'a libvirt domain is far shallower: check the file')
    if (++this.elements > this.limits.maxElements) this.fail(`more than ${this.limits.maxElements} elements`, 'give one domain definition, not a dump')
    const { line, col } = this.lineColAt(this.i)
    this.i++ // '<'
    const name = this.name()
    const el: XmlElement = { name, attrs: {}, children: [], line, col }
    let nattrs = 0
    for (;;) {
      const hadWs = isWs(this.s[this.i])
      while (isWs(this.s[this.i])) this.i++
      if (this.s.startsWith('/>', this.i)) { this.i += 2; return el }
      if (this.s[this.i] === '>') { this.i++; break }
      if (this.i >= this.s.length) this.fail(`the start tag <${name}> is not closed`, 'end the tag with ">" or "/>"')
      if (!hadWs) this.fail(`expected whitespace, ">" or "/>" in <${name}> but found ${this.show()}`, 'separate attributes with spaces')
      const attrAt = this.i
      const an = this.name()
      while (isWs(this.s[this.i])) this.i++
      if (this.s[this.i] !== '=') this.fail(`attribute ${an} of <${name}> has no value`, `write ${an}='value'`)
      this.i++
      while (isWs(this.s[this.i])) this.i++
      const q = this.s[this.i]
      if (q !== '"' && q !== "'") this.fail(`the value of ${an} is not quoted`, `write ${an}='value'`)
      const end = this.s.indexOf(q, this.i + 1)
      if (end < 0) this.fail(`the value of ${an} is not closed`, `end it with ${q}`)
      const raw = this.s.slice(this.i + 1, end)
      const lt = raw.indexOf('<')
      if (lt >= 0) this.fail(`"<" inside the value of ${an}`, 'write it as &lt;', this.i + 1 + lt)
      if (Object.hasOwn(el.attrs, an)) this.fail(`attribute ${an} appears twice in <${name}>`, 'keep one', attrAt)
      if (++nattrs > this.limits.maxAttributes) this.fail(`more than ${this.limits.maxAttributes} attributes on <${name}>`, 'check the file', attrAt)
      el.attrs[an] = this.decode(raw, this.i + 1).replace(/[\t\n\r]/g, ' ')
      this.i = end + 1
    }
    // content
    let text = ''
    let textAt = this.i
    const flush = (): void => {
      if (text !== '') el.children.push({ text: this.decode(text, textAt) })
      text = ''
    }
    for (;;) {
      if (this.i >= this.s.length) this.fail(`<${name}> (line ${line}:${col}) is not closed`, `add </${name}>`)
      const lt = this.s.indexOf('<', this.i)
      if (lt < 0) { this.i = this.s.length; continue }
      if (lt > this.i) {
        if (text === '') textAt = this.i
        text += this.s.slice(this.i, lt)
        this.i = lt
      }
      if (this.s.startsWith('</', this.i)) {
        flush()
        this.i += 2
        const endName = this.name()
        if (this.i >= this.s.length) this.fail(`the file ends inside the end tag </${endName}: it is cut off`, 'give the whole file')
        if (endName !== name) this.fail(`</${endName}> closes <${name}> (line ${line}:${col})`, `close <${name}> with </${name}>`)
        while (isWs(this.s[this.i])) this.i++
        if (this.s[this.i] !== '>') this.fail(`expected ">" after </${endName}`, 'close the end tag with ">"')
        this.i++
        return el
      }
      if (this.s.startsWith('<!--', this.i)) { this.comment(); continue }
      if (this.s.startsWith('<![CDATA[', this.i)) {
        flush()
        const end = this.s.indexOf(']]>', this.i + 9)
        if (end < 0) this.fail('the CDATA section is not closed', 'end it with "]]>"')
        el.children.push({ text: this.s.slice(this.i + 9, end) })
        this.i = end + 3
        continue
      }
      if (this.s.startsWith('<!', this.i)) this.fail('a markup declaration (<!ENTITY, <!DOCTYPE …) inside the document is not accepted', 'remove it; only elements, text and comments are read')
      if (this.s.startsWith('<?', this.i)) { this.pi(); continue }
      flush()
      el.children.push(this.element(depth + 1))
      textAt = this.i
    }
  }

  /** The five predefined entities and &#N; / &#xH; — any other entity is an error, never expanded. */
  private decode(raw: string, at: number): string {
    if (!raw.includes('&')) return raw
    return raw.replace(/&([^;&\s]{0,32});?/g, (m, ent: string, off: number) => {
      if (!m.endsWith(';')) this.fail(`"&" that does not start an entity (${JSON.stringify(m.slice(0, 12))})`, 'write a literal "&" as &amp;', at + off)
      if (Object.hasOwn(PREDEFINED, ent)) return PREDEFINED[ent]!
      const num = /^#(\d{1,7})$/.exec(ent) ?? /^#x([0-9A-Fa-f]{1,6})$/.exec(ent)
      if (num) {
        const cp = parseInt(num[1]!, ent[1] === 'x' ? 16 : 10)
        if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail(`&${ent}; is not a valid character`, 'remove it', at + off)
        return String.fromCodePoint(cp)
      }
      return this.fail(`the entity &${ent}; is not defined: only &lt; &gt; &amp; &quot; &apos; and character references are read (no DTD entities)`, `write the text it stands for instead of &${ent};`, at + off)
    })
  }
}

/** Escapes text for an attribute value in single quotes or for element content. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;')
}

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => 'name' in c && (name === undefined || c.name === name))
}

export function firstChild(el: XmlElement, name: string): XmlElement | undefined {
  return childElements(el, name)[0]
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => ('text' in c ? c.text : textOf(c))).join('')
}
