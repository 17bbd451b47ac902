import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ComparisonTable from '../../renderer/src/components/ComparisonTable.vue'
import { comparisonRows } from '../../renderer/src/lib/compare.ts'
import { makeResult } from '../helpers/results.ts'

describe('ComparisonTable', () => {
  it('colours deltas against the baseline: fewer EXTERNAL_INTERRUPT exits green, lower throughput red', () => {
    const a = makeResult('sw-timer', { extInt: 42916, throughput: 100_000 })
    const b = makeResult('posted-timer', { extInt: 6871, throughput: 90_000, p99: 200_500 })
    const w = mount(ComparisonTable, { props: { rows: comparisonRows([a, b], undefined), extIntLabel: 'EXTERNAL_INTERRUPT' } })

    const ext = w.get('[data-testid="delta-extint-posted-timer"]')
    expect(ext.text()).toBe('−84.0 %')
    expect(ext.classes()).toContain('delta-good')
    expect(Number(ext.attributes('data-pct'))).toBeLessThan(0)

    const tput = w.get('[data-testid="delta-throughput-posted-timer"]')
    expect(tput.text()).toBe('−10.0 %')
    expect(tput.classes()).toContain('delta-bad')

    expect(w.get('[data-testid="delta-p99-posted-timer"]').classes()).toContain('delta-neutral')
    expect(w.get('[data-testid="compare-row-sw-timer"]').text()).toContain('baseline')
    expect(w.get('[data-testid="delta-extint-sw-timer"]').text()).toBe('')
  })
})
