// The issue-15 forms in happy-dom: New profile, the VM editor, the host editor's preview, Run disabled with its
// reason, and the IRQ view.
import { beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import NewProfileDialog from '../../renderer/src/components/NewProfileDialog.vue'
import VmEditor from '../../renderer/src/components/VmEditor.vue'
import HostEditor from '../../renderer/src/components/HostEditor.vue'
import RunControls from '../../renderer/src/components/RunControls.vue'
import IrqSources from '../../renderer/src/components/IrqSources.vue'
import { useProfileStore } from '../../renderer/src/stores/profile.ts'

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
})

async function newProfile(vcpus = 16): Promise<ReturnType<typeof useProfileStore>> {
  const p = useProfileStore()
  const w = mount(NewProfileDialog)
  await w.get('[data-testid="new-profile-name"]').setValue('lab host')
  await w.get('[data-testid="new-host-coresPerSocket"]').setValue('28')
  await w.get('[data-testid="new-host-coresPerSocket"]').trigger('change')
  await w.get('[data-testid="new-profile-vcpus"]').setValue(String(vcpus))
  await w.get('form').trigger('submit')
  expect(w.emitted('close')).toHaveLength(1)
  return p
}

describe('NewProfileDialog', () => {
  it('opens a new profile with the host as entered, default housekeeping and a first VM on isolated CPUs', async () => {
    const p = await newProfile(16)
    expect(p.source).toEqual({ kind: 'new', name: 'lab host' })
    expect(p.profile?.host.topology).toMatchObject({ sockets: 2, coresPerSocket: 28, threadsPerCore: 2 })
    expect(p.profile?.host.kernel.cmdline.irqaffinity).toBe('0,28,56,84')
    expect(p.profile?.vms[0]?.pinning.vcpupin).toHaveLength(16)
    expect(p.notice).toContain('Housekeeping CPUs 0,28,56,84')
  })
  it('refuses a topology it cannot build and says which field', async () => {
    const p = useProfileStore()
    const w = mount(NewProfileDialog)
    await w.get('[data-testid="new-host-numaNodesPerSocket"]').setValue('3')
    await w.get('[data-testid="new-host-numaNodesPerSocket"]').trigger('change')
    await w.get('form').trigger('submit')
    expect(w.emitted('close')).toBeUndefined()
    expect(w.get('[data-testid="new-profile-errors"]').text()).toContain('topology.numaNodesPerSocket')
    expect(p.isOpen).toBe(false)
  })
})

describe('VmEditor', () => {
  it('adds, renames, duplicates and removes VMs, each one undo step', async () => {
    const p = await newProfile(4)
    const w = mount(VmEditor)
    await w.get('[data-testid="vm-add-vcpus"]').setValue('8')
    await w.get('[data-testid="vm-add"]').trigger('click')
    expect(p.profile?.vms.map((v) => v.name)).toEqual(['vm0', 'vm1'])
    expect(w.find('[data-testid="vm-tab-vm1"]').attributes('aria-selected')).toBe('true')
    await w.get('[data-testid="vm-name"]').setValue('db')
    await w.get('[data-testid="vm-name"]').trigger('change')
    expect(p.profile?.vms[1]?.name).toBe('db')
    await w.get('[data-testid="vm-name"]').setValue('vm0')
    await w.get('[data-testid="vm-name"]').trigger('change')
    expect(w.get('[data-testid="vm-message"]').text()).toContain('is taken')
    await w.get('[data-testid="vm-duplicate"]').trigger('click')
    expect(p.profile?.vms.map((v) => v.name)).toEqual(['vm0', 'db', 'db-copy'])
    await w.get('[data-testid="vm-remove"]').trigger('click')
    expect(p.profile?.vms.map((v) => v.name)).toEqual(['vm0', 'db'])
    p.undo()
    expect(p.profile?.vms.map((v) => v.name)).toEqual(['vm0', 'db', 'db-copy'])
  })
  it('edits the vCPU count, guest HZ and workload parameters, showing each meaning and default', async () => {
    const p = await newProfile(4)
    const w = mount(VmEditor)
    await w.get('[data-testid="vm-vcpus-input"]').setValue('6')
    await w.get('[data-testid="vm-vcpus-input"]').trigger('change')
    expect(p.profile?.vms[0]?.vcpus).toBe(6)
    expect(p.profile?.vms[0]?.pinning.vcpupin).toHaveLength(6)
    await w.get('[data-testid="vm-guest-hz-input"]').setValue('250')
    expect(p.profile?.vms[0]?.guest.hz).toBe(250)
    const conn = w.get('[data-testid="vm-workload-connections"]')
    expect(conn.text()).toContain('redis-benchmark -c')
    expect(conn.text()).toContain('default 50')
    await conn.get('input').setValue('0')
    await conn.get('input').trigger('change')
    expect(conn.text()).toContain('outside 1')
    expect(p.profile?.vms[0]?.workload).toMatchObject({ kind: 'redis', connections: 50 })
    await w.get('[data-testid="vm-workload-kind"]').setValue('fork-join')
    expect(p.profile?.vms[0]?.workload.kind).toBe('fork-join')
    expect(w.find('[data-testid="vm-workload-spinNs"]').exists()).toBe(true)
  })
})

describe('HostEditor', () => {
  it('lists the pins a smaller topology invalidates before applying, and undo restores them', async () => {
    const p = await newProfile(16)
    const w = mount(HostEditor)
    await w.get('[data-testid="host-edit-toggle"]').trigger('click')
    await w.get('[data-testid="edit-host-coresPerSocket"]').setValue('4')
    await w.get('[data-testid="edit-host-coresPerSocket"]').trigger('change')
    await w.get('[data-testid="host-apply"]').trigger('click')
    expect(p.profile?.host.topology.coresPerSocket).toBe(28) // not yet
    const preview = w.get('[data-testid="host-changes"]')
    expect(preview.text()).toContain('vm0 vCPU 6')
    expect(preview.text()).toContain('invalid')
    await w.get('[data-testid="host-changes-apply"]').trigger('click')
    expect(p.profile?.host.topology.coresPerSocket).toBe(4)
    expect(p.profile?.vms[0]?.pinning.vcpupin[6]).toBe('')
    p.undo()
    expect(p.profile?.host.topology.coresPerSocket).toBe(28)
    expect(p.profile?.vms[0]?.pinning.vcpupin[6]).toBe('4')
  })
})

describe('RunControls', () => {
  it('disables Run with the reason while an error stands; a warning does not block', async () => {
    const p = useProfileStore()
    p.open({ schemaVersion: 1, host: { topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 } }, vms: [{ name: 'vm', vcpus: 1, pinning: { vcpupin: ['9'] } }] }, { kind: 'file', name: 'x.json' })
    const w = mount(RunControls)
    const run = w.get('[data-testid="run-all"]')
    expect(run.attributes('disabled')).toBeDefined()
    expect(run.attributes('title')).toContain('vm vCPU 0')
    expect(w.get('[data-testid="run-blocked"]').text()).toContain('Run is disabled')
    p.edit({ schemaVersion: 1, host: { topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 } }, vms: [{ name: 'vm', vcpus: 2, pinning: { vcpupin: ['1', '1'] } }] })
    await w.vm.$nextTick()
    expect(p.diagnostics.some((d) => d.code === 'overcommit')).toBe(true)
    expect(w.get('[data-testid="run-all"]').attributes('disabled')).toBeUndefined()
    expect(w.find('[data-testid="run-blocked"]').exists()).toBe(false)
  })
})

describe('IrqSources', () => {
  it('shows where each source lands and steers one to the selected CPUs', async () => {
    const p = useProfileStore()
    p.open({ schemaVersion: 1, host: { topology: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 }, kernel: { cmdline: { irqaffinity: '0' } }, noise: { irqs: [{ name: 'eth0', affinity: 'default' }] } } }, { kind: 'file', name: 'x.json' })
    const w = mount(IrqSources, { props: { selected: [2, 3], editable: true } })
    expect(w.get('[data-testid="irq-cpus-eth0"]').text()).toBe('0')
    expect(w.get('[data-testid="irq-row-eth0"]').attributes('data-on-selected')).toBe('false')
    await w.get('[data-testid="irq-steer-eth0"]').trigger('click')
    expect(p.profile?.host.noise.irqs[0]?.affinity).toBe('2-3')
    expect(w.get('[data-testid="irq-cpus-eth0"]').text()).toBe('2-3')
    expect(w.get('[data-testid="irq-row-eth0"]').attributes('data-on-selected')).toBe('true')
    expect(w.get('[data-testid="irq-on-selected"]').text()).toContain('1 of 1')
  })
})
