// Plain DOM building for the report page: every text through text nodes (nothing in a snapshot is ever
// parsed as HTML).

export type Child = Node | string | null | undefined | false
export type Attrs = Record<string, string | undefined>

export function h(tag: string, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v)
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue
    el.append(typeof c === 'string' ? document.createTextNode(c) : c)
  }
  return el
}

export function table(head: string[], rows: (string | HTMLElement)[][], attrs: Attrs = {}): HTMLElement {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
  )
}

