// sweeps.* through the services' router with real worker processes: a sweep of the open profile runs every
// point and streams progress with an ETA; bad axes are refused with the field, value and fix before
// anything runs; cancel stops the pool's jobs of the sweep and keeps the finished points.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { RequestOf, SweepEvent, SweepRecord } from '../../core/api/protocol.ts'
import { ChildProcessLauncher } from '../../main/worker/child-process-launcher.ts'
import { WorkerPool } from '../../main/worker/pool.ts'
import { SweepService } from '../../main/services/sweep-service.ts'
import { createApiRouter } from '../../main/services/api-router.ts'

const profile = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/posted-timer.json'), 'utf8')) as unknown
const pool = new WorkerPool(new ChildProcessLauncher(), { size: 2 })
const sweeps = new SweepService({ pool })
afterAll(() => pool.dispose())
const events: SweepEvent[] = []
sweeps.onEvent((e) => events.push(e))

describe('the sweeps service', () => {
  it('runs a 2 × 2 grid on the pool with progress events and an ETA', async () => {
    const head = sweeps.start({ profile, configuration: 'sw-timer', axes: [
      { path: 'host.kvm.piInjectTimer', values: [0, 1] }, { path: 'vms[0].kvm.disableExits.hlt', values: [false, true] }, { path: 'run.durationSec', values: [0.02] },
    ] })
    expect(head.total).toBe(4)
    await sweeps.whenFinished(head.sweepId)
    const rec: SweepRecord = sweeps.get({ sweepId: head.sweepId })
    expect(rec.status).toBe('done')
    expect(rec.points.map((p) => p.index).sort()).toEqual([0, 1, 2, 3])
    for (const p of rec.points) expect(p.metrics?.['vms[0].workload.throughputPerSec']).toBeGreaterThan(0)
    const mine = events.filter((e) => e.sweepId === head.sweepId)
    expect(mine.filter((e) => e.type === 'sweep-point').map((e) => e.type === 'sweep-point' && e.done)).toEqual([1, 2, 3, 4])
    expect(mine.every((e) => e.type !== 'sweep-point' || typeof e.etaSec === 'number')).toBe(true)
    expect(mine.at(-1)).toMatchObject({ type: 'sweep-finished', status: 'done', done: 4, total: 4 })
  }, 120_000)

  it('refuses a bad axis before anything runs, naming the field, the value and the fix', async () => {
    const router = createApiRouter({ 'sweeps.start': (r: RequestOf<'sweeps.start'>) => sweeps.start(r) } as never)
    const r = await router.handle('sweeps.start', { profile, axes: [{ path: 'host.kvm.haltPoll.haltPollNs', values: [0, -1] }] })
    expect(r.ok).toBe(false)
    const err = !r.ok ? r.error : undefined
    expect(err?.code).toBe('bad-request')
    expect(err?.issues?.[0]).toMatchObject({ path: 'axes[0].values[1]', value: '-1' })
    expect(err?.issues?.[0]?.fix).toBeTruthy()
    const typo = await router.handle('sweeps.start', { profile, axes: [{ path: 'host.kvm.haltPoll.haltPollNS', values: [0] }] })
    expect(!typo.ok && typo.error.issues?.[0]?.path).toBe('axes[0].path')
  })

  it('cancel stops the sweep and keeps the finished points', async () => {
    const head = sweeps.start({ profile, configuration: 'sw-timer', seeds: [1, 2, 3, 4, 5, 6], axes: [
      { path: 'host.kvm.piInjectTimer', values: [0, 1] }, { path: 'run.durationSec', values: [0.5] },
    ] })
    expect(head.total).toBe(12)
    await new Promise<void>((done) => { const off = sweeps.onEvent((e) => { if (e.sweepId === head.sweepId && e.type === 'sweep-point') { off(); done() } }) })
    expect(sweeps.cancel({ sweepId: head.sweepId })).toEqual({ cancelled: true })
    await sweeps.whenFinished(head.sweepId)
    const rec = sweeps.get({ sweepId: head.sweepId })
    expect(rec.status).toBe('cancelled')
    expect(rec.points.length).toBeGreaterThanOrEqual(1)
    expect(rec.points.length).toBeLessThan(12)
    expect(sweeps.cancel({ sweepId: head.sweepId })).toEqual({ cancelled: false })
  }, 120_000)
})
