// A drag on the topology map selects the rectangle between its two ends, as a spreadsheet does: the cells whose
// centre lies in the box spanned by the cell where the drag started and the cell under the pointer (within one
// row of cores, that is the range between them). Pure, over the cells' boxes as laid out.

export interface CellBox { cpu: number; x: number; y: number; w: number; h: number }

/** The CPUs inside the rectangle spanned by cells `a` and `b`, ascending. */
export function rectSelect(cells: readonly CellBox[], a: number, b: number): number[] {
  const ca = cells.find((c) => c.cpu === a)
  const cb = cells.find((c) => c.cpu === b)
  if (!ca || !cb) return [...new Set([a, b])].sort((x, y) => x - y)
  const left = Math.min(ca.x, cb.x)
  const right = Math.max(ca.x + ca.w, cb.x + cb.w)
  const top = Math.min(ca.y, cb.y)
  const bottom = Math.max(ca.y + ca.h, cb.y + cb.h)
  const out: number[] = []
  for (const c of cells) {
    const cx = c.x + c.w / 2
    const cy = c.y + c.h / 2
    if (cx >= left && cx <= right && cy >= top && cy <= bottom) out.push(c.cpu)
  }
  return out.sort((x, y) => x - y)
}

/** The drag's selection: the rectangle, added to what was selected before when the drag started with Ctrl. */
export function dragRect(cells: readonly CellBox[], anchor: number, cpu: number, base: readonly number[] = []): number[] {
  return [...new Set([...base, ...rectSelect(cells, anchor, cpu)])].sort((x, y) => x - y)
}
