// Progress bars for the CLI: one line on stderr, redrawn in place, only when stderr is a terminal.
export class ProgressLine {
  private readonly stream: NodeJS.WriteStream
  private readonly enabled: boolean
  private readonly fractions = new Map<string, number>()
  private last = 0

  constructor(names: string[], stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream
    this.enabled = stream.isTTY === true
    for (const n of names) this.fractions.set(n, 0)
  }

  update(name: string, fraction: number): void {
    this.fractions.set(name, fraction)
    const now = Date.now()
    if (now - this.last < 80 && fraction < 1) return
    this.last = now
    this.draw()
  }

  private draw(): void {
    if (!this.enabled) return
    const width = this.fractions.size > 2 ? 10 : 20
    const parts = [...this.fractions].map(([n, f]) => {
      const filled = Math.round(Math.min(1, Math.max(0, f)) * width)
      return `${n} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%`
    })
    const line = parts.join('  ').slice(0, Math.max(20, (this.stream.columns || 80) - 1))
    this.stream.write(`\r\x1b[K${line}`)
  }

  done(): void {
    if (this.enabled) this.stream.write('\r\x1b[K')
  }
}
