// Exit causes: names registered once at setup, counted by small integer id on the hot path.
export class CauseTable {
  private readonly names: string[] = []
  private readonly ids = new Map<string, number>()

  id(name: string): number {
    let i = this.ids.get(name)
    if (i === undefined) {
      i = this.names.length
      this.names.push(name)
      this.ids.set(name, i)
    }
    return i
  }

  name(id: number): string {
    return this.names[id] ?? `cause ${id}`
  }

  get size(): number {
    return this.names.length
  }
}
