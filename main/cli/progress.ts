// Progress for the CLI on stderr: on a terminal one line of bars, redrawn in place; elsewhere (a CI log, a pipe
// to tee) one plain line every `intervalMs` once a run lasts that long, so a long run is never silent and a
// short one adds nothing.
export class ProgressLine {
  private readonly stream: NodeJS.WriteStream
  private readonly tty: boolean
  private readonly fractions = new Map<string, number>()
  private readonly intervalMs: number
  private readonly now: () => number
  private last = 0
  private lastLog: number

  constructor(names: string[], stream: NodeJS.WriteStream = process.stderr, o: { intervalMs?: number; now?: () => number } = {}) {
    this.stream = stream
    this.tty = stream.isTTY === true
    this.intervalMs = o.intervalMs ?? 10_000
    this.now = o.now ?? Date.now
    this.lastLog = this.now()
    for (const n of names) this.fractions.set(n, 0)
  }

  update(name: string, fraction: number): void {
    this.fractions.set(name, fraction)
    const now = this.now()
    if (!this.tty) {
      if (now - this.lastLog < this.intervalMs || [...this.fractions.values()].every((f) => f >= 1)) return
      this.lastLog = now
      const parts = [...this.fractions].map(([n, f]) => `${n} ${Math.floor(Math.min(1, Math.max(0, f)) * 100)}%`)
      this.stream.write(`kvmbench: running: ${parts.join(', ')}\n`)
      return
    }
    if (now - this.last < 80 && fraction < 1) return
    this.last = now
    this.draw()
  }

  private draw(): void {
    const width = this.fractions.size > 2 ? 10 : 20
    const parts = [...this.fractions].map(([n, f]) => {
      const filled = Math.round(Math.min(1, Math.max(0, f)) * width)
      return `${n} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%`
    })
    const line = parts.join('  ').slice(0, Math.max(20, (this.stream.columns || 80) - 1))
    this.stream.write(`\r\x1b[K${line}`)
  }

  done(): void {
    if (this.tty) this.stream.write('\r\x1b[K')
  }
}
