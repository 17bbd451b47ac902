// Rendering work spread over tasks. Creating an ECharts instance and drawing its first option costs tens
// of milliseconds on a 256-CPU result (series models, axis and label layout, canvas paint), and a
// configuration's result card (exit table, kernel decisions of 8 VMs) a few more in Vue and layout; the
// Results tab of 4 configurations has a dozen charts, and creating everything in the task that opens the
// tab blocked the main thread for close to a second. Jobs queued here (create a chart, mount a card,
// resize a chart) run one per task, each after the next frame was drawn, so input and painting get in
// between: the jobs of elements in (or near) the viewport first, then the others in document order.
// Everything is still created (exports, connected chart groups and full-page screenshots see it all);
// the job of a component that went away (tab switched) is cancelled.

export interface RenderJob {
  /** The element whose position orders the job. */
  el: Element
  run: () => void
}

const pending = new Set<RenderJob>()
let scheduled = false
/** An element this far outside the viewport counts as near it. */
const NEAR_PX = 200

const nextFrame: (cb: () => void) => void =
  typeof requestAnimationFrame === 'function'
    ? (cb) => requestAnimationFrame(() => setTimeout(cb, 0))
    : (cb) => setTimeout(cb, 16)

function nearViewport(el: Element): boolean {
  if (typeof window === 'undefined' || !el.isConnected) return false
  const r = el.getBoundingClientRect()
  const h = window.innerHeight || document.documentElement.clientHeight
  return r.bottom >= -NEAR_PX && r.top <= h + NEAR_PX
}

function before(a: RenderJob, b: RenderJob): boolean {
  return !!(a.el.compareDocumentPosition(b.el) & 4 /* Node.DOCUMENT_POSITION_FOLLOWING */)
}

/** The next job: the first (in document order) near the viewport, else the first. */
function pick(): RenderJob | undefined {
  let first: RenderJob | undefined
  let firstNear: RenderJob | undefined
  for (const j of pending) {
    if (!first || before(j, first)) first = j
    if ((!firstNear || before(j, firstNear)) && nearViewport(j.el)) firstNear = j
  }
  return firstNear ?? first
}

function step(): void {
  scheduled = false
  const job = pick()
  if (job) {
    pending.delete(job)
    try {
      job.run()
    } finally {
      schedule()
    }
  }
}

function schedule(): void {
  if (scheduled || pending.size === 0) return
  scheduled = true
  nextFrame(step)
}

/** Queues a job; returns a function that cancels it (a no-op once it ran). */
export function queueRenderJob(el: Element, run: () => void): () => void {
  const job: RenderJob = { el, run }
  pending.add(job)
  schedule()
  return () => void pending.delete(job)
}

/** How many jobs wait. */
export function pendingRenderJobs(): number {
  return pending.size
}
