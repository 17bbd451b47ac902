import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { PROGRESS_INTERVAL_MS, useRunsStore } from '../../renderer/src/stores/runs.ts'
import { setApi } from '../../renderer/src/api/index.ts'
import { fakeApi, type FakeApi } from '../helpers/fake-api.ts'
import { makeResult } from '../helpers/results.ts'

let api: FakeApi

beforeEach(() => {
  setActivePinia(createPinia())
  api = fakeApi()
  setApi(api)
})

describe('runs store', () => {
  it('applies progress, done and failed events to the run they name', async () => {
    const runs = useRunsStore()
    const runId = await runs.start({ schemaVersion: 1 }, 'p')
    expect(runId).toBe('run-1')
    expect(runs.isRunning).toBe(true)
    expect(runs.current?.configs.map((c) => c.status)).toEqual(['queued', 'queued'])

    api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.4 })
    expect(runs.current?.configs[0]).toMatchObject({ status: 'running', fraction: 0.4 })
    expect(runs.current?.status).toBe('running')

    api.emit({ type: 'config-done', runId: 'run-1', config: 'sw-timer', result: makeResult('sw-timer') })
    api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.9 }) // late progress is ignored
    expect(runs.current?.configs[0]).toMatchObject({ status: 'done', fraction: 1 })
    expect(runs.results.map((r) => r.config)).toEqual(['sw-timer'])

    api.emit({ type: 'config-failed', runId: 'run-1', config: 'posted-timer', error: 'worker crashed' })
    expect(runs.current?.configs[1]).toMatchObject({ status: 'failed', error: 'worker crashed' })
    expect(runs.current?.status).toBe('failed')
    expect(runs.isRunning).toBe(false)

    api.emit({ type: 'progress', runId: 'other', config: 'x', fraction: 0.5 })
    expect(Object.keys(runs.runs)).toEqual(['run-1'])
  })

  describe('while configurations run', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    it('moves each progress bar at most once per interval, to the newest fraction, all together', async () => {
      vi.useFakeTimers()
      const runs = useRunsStore()
      await runs.start({}, 'p')
      const bar = (i: number): number | undefined => runs.current?.configs[i]?.fraction
      api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.1 })
      api.emit({ type: 'progress', runId: 'run-1', config: 'posted-timer', fraction: 0.05 })
      expect([bar(0), bar(1)]).toEqual([0.1, 0.05]) // the first progress shows at once (queued → running)
      api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.2 })
      api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.3 })
      api.emit({ type: 'progress', runId: 'run-1', config: 'posted-timer', fraction: 0.15 })
      vi.advanceTimersByTime(PROGRESS_INTERVAL_MS - 1)
      expect([bar(0), bar(1)]).toEqual([0.1, 0.05])
      vi.advanceTimersByTime(1)
      expect([bar(0), bar(1)]).toEqual([0.3, 0.15])
      expect(runs.current?.configs.map((c) => c.status)).toEqual(['running', 'running'])
    })

    it('shows a configuration done at once, and never moves its bar back with progress still waiting', async () => {
      vi.useFakeTimers()
      const runs = useRunsStore()
      await runs.start({}, 'p')
      api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.5 })
      api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.9 })
      api.emit({ type: 'config-done', runId: 'run-1', config: 'sw-timer', result: makeResult('sw-timer') })
      expect(runs.current?.configs[0]).toMatchObject({ status: 'done', fraction: 1 })
      api.emit({ type: 'progress', runId: 'run-1', config: 'posted-timer', fraction: 0.2 })
      api.emit({ type: 'progress', runId: 'run-1', config: 'posted-timer', fraction: 0.4 })
      api.emit({ type: 'config-cancelled', runId: 'run-1', config: 'posted-timer' })
      api.emit({ type: 'run-finished', runId: 'run-1', status: 'cancelled' })
      vi.advanceTimersByTime(PROGRESS_INTERVAL_MS)
      expect(runs.current?.configs).toMatchObject([{ status: 'done', fraction: 1 }, { status: 'cancelled', fraction: 0.2 }])
      expect(runs.current?.status).toBe('cancelled')
    })
  })

  it('keeps events that arrive before runs.start answers', async () => {
    const runs = useRunsStore()
    runs.connect()
    api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.2 })
    await runs.start({}, 'p')
    expect(runs.current?.configs[0]).toMatchObject({ status: 'running', fraction: 0.2 })
  })

  it('cancels through the API and marks configurations cancelled on the events', async () => {
    const runs = useRunsStore()
    await runs.start({}, 'p')
    api.emit({ type: 'progress', runId: 'run-1', config: 'sw-timer', fraction: 0.1 })
    await runs.cancel()
    expect(api.calls.find((c) => c.channel === 'runs.cancel')?.payload).toEqual({ runId: 'run-1' })
    api.emit({ type: 'config-cancelled', runId: 'run-1', config: 'sw-timer' })
    api.emit({ type: 'run-finished', runId: 'run-1', status: 'cancelled' })
    expect(runs.current?.configs.map((c) => c.status)).toEqual(['cancelled', 'cancelled'])
    expect(runs.current?.status).toBe('cancelled')
    expect(runs.isRunning).toBe(false)
  })

  it('uses the first configuration as the baseline unless one is pinned', async () => {
    const runs = useRunsStore()
    await runs.start({}, 'p')
    const a = makeResult('sw-timer')
    const b = makeResult('posted-timer', { extInt: 10 })
    api.emit({ type: 'config-done', runId: 'run-1', config: 'sw-timer', result: a })
    api.emit({ type: 'config-done', runId: 'run-1', config: 'posted-timer', result: b })
    expect(runs.baseline?.config).toBe('sw-timer')
    runs.pinBaseline('run-1', 'posted-timer')
    expect(runs.baseline?.config).toBe('posted-timer')
    expect(runs.baselineLabel).toBe('posted-timer (pinned)')
    runs.clearBaseline()
    expect(runs.baseline?.config).toBe('sw-timer')
  })

  it('runs only the configurations asked for', async () => {
    const runs = useRunsStore()
    await runs.start({}, 'p', ['posted-timer'])
    expect((api.calls.find((c) => c.channel === 'runs.start')?.payload as { configs: string[] }).configs).toEqual(['posted-timer'])
    expect(runs.current?.configs.map((c) => c.config)).toEqual(['posted-timer'])
  })
})

describe('pinned runs', () => {
  it('compares each configuration with its namesake in a pinned run', async () => {
    const runs = useRunsStore()
    setApi(fakeApi({ runId: 'run-a' }))
    await runs.start({}, 'p')
    const aSw = makeResult('sw-timer', { extInt: 100 })
    const aPosted = makeResult('posted-timer', { extInt: 50 })
    runs.applyEvent({ type: 'config-done', runId: 'run-a', config: 'sw-timer', result: aSw })
    runs.applyEvent({ type: 'config-done', runId: 'run-a', config: 'posted-timer', result: aPosted })
    runs.pinBaseline('run-a')

    setApi(fakeApi({ runId: 'run-b' }))
    await runs.start({}, 'p')
    const bSw = makeResult('sw-timer', { extInt: 90 })
    const bPosted = makeResult('posted-timer', { extInt: 40 })
    runs.applyEvent({ type: 'config-done', runId: 'run-b', config: 'sw-timer', result: bSw })
    runs.applyEvent({ type: 'config-done', runId: 'run-b', config: 'posted-timer', result: bPosted })

    expect(runs.currentRunId).toBe('run-b')
    expect(runs.baselineFor(bSw)).toBe(aSw)
    expect(runs.baselineFor(bPosted)).toBe(aPosted)
    expect(runs.baselineLabel).toBe('run run-a, same configuration (pinned)')
    expect(runs.order).toEqual(['run-b', 'run-a'])
  })
})
