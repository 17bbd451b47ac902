import { beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import TopologyMap from '../../renderer/src/components/TopologyMap.vue'
import { useProfileStore } from '../../renderer/src/stores/profile.ts'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

describe('TopologyMap', () => {
  it('shows roles and pins per CPU, and follows the chosen configuration', async () => {
    const p = useProfileStore()
    p.open(
      {
        schemaVersion: 1,
        host: { topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 2 }, kernel: { cmdline: { nohzFull: '1-3,5-7' } } },
        vms: [{ name: 'vm', vcpus: 1, pinning: { vcpupin: ['2'] } }],
        configurations: [
          { name: 'base', overrides: {} },
          { name: 'on-hk', overrides: { vm: { pinning: { vcpupin: ['0'] } } } },
        ],
      },
      { kind: 'file', name: 't.json' },
    )
    const w = mount(TopologyMap)
    expect(w.get('[data-testid="cpu-0"]').attributes('data-roles')).toBe('housekeeping')
    expect(w.get('[data-testid="cpu-2"]').attributes('data-roles')).toContain('nohz_full')
    expect(w.get('[data-testid="cpu-2"]').text()).toContain('v0')
    expect(w.find('[data-testid="topology-ok"]').exists()).toBe(true)

    await w.get('[data-testid="topology-config"]').setValue('on-hk')
    expect(w.get('[data-testid="cpu-0"]').text()).toContain('v0')
    expect(w.get('[data-testid="topology-diagnostics"]').text()).toContain('pinned to housekeeping CPU 0')
  })
})
