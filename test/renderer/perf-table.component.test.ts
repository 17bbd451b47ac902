import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import PerfTable from '../../renderer/src/components/PerfTable.vue'
import { exitRow } from '../helpers/results.ts'

const exits = [exitRow('MSR_WRITE', 520, 2620, { 'tsc-deadline': 520 }), exitRow('HLT', 179, 10_123_400), exitRow('EXTERNAL_INTERRUPT', 71, 17_560, { 'host-tick': 50, 'nic-irq': 21 })]

const reasons = (w: ReturnType<typeof mount>): string[] => w.findAll('tbody tr').map((tr) => tr.attributes('data-reason') ?? '')

describe('PerfTable', () => {
  it('sorts by samples, descending, like perf; clicking a header sorts by it and clicking again reverses', async () => {
    const w = mount(PerfTable, { props: { exits } })
    expect(reasons(w)).toEqual(['MSR_WRITE', 'HLT', 'EXTERNAL_INTERRUPT'])
    expect(w.get('th[aria-sort="descending"]').text()).toContain('Samples')

    await w.get('[data-testid="sort-meanNs"]').trigger('click')
    expect(reasons(w)).toEqual(['HLT', 'EXTERNAL_INTERRUPT', 'MSR_WRITE'])
    await w.get('[data-testid="sort-meanNs"]').trigger('click')
    expect(reasons(w)).toEqual(['MSR_WRITE', 'EXTERNAL_INTERRUPT', 'HLT'])

    await w.get('[data-testid="sort-reason"]').trigger('click')
    expect(reasons(w)).toEqual(['EXTERNAL_INTERRUPT', 'HLT', 'MSR_WRITE'])
    expect(w.get('th[aria-sort="ascending"]').text()).toContain('VM-EXIT')
  })

  it('prints cells as perf does and explains causes on hover', () => {
    const w = mount(PerfTable, { props: { exits } })
    const row = w.get('[data-testid="perf-row-EXTERNAL_INTERRUPT"]')
    expect(row.text()).toContain('17.56us ( +-   1.09% )')
    expect(row.attributes('title')).toBe('EXTERNAL_INTERRUPT caused by:\n  host-tick: 50 (70.4%)\n  nic-irq: 21 (29.6%)')
    expect(w.text()).toContain('Total Samples:770')
  })
})
