// Issue 18's renderer leftovers: a file's size is checked from File.size before it is read; several
// libvirt domains import as several VMs; the guest kernel command line is an export of each configuration.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FILE_LIMITS, fileSizeProblem } from '../../renderer/src/lib/file-limits.ts'
import { previewImport, vmNamesOf } from '../../renderer/src/lib/import-preview.ts'
import { CONFIG_EXPORTS, exportConfiguration } from '../../renderer/src/lib/config-exports.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { REPO_ROOT } from '../../main/paths.ts'

const example = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'posted-timer.json'), 'utf8')) as Record<string, unknown>

const domain = (name: string, cpus: number[]): string => `<domain type='kvm'>
  <name>${name}</name>
  <vcpu placement='static'>${cpus.length}</vcpu>
  <cputune>
${cpus.map((c, i) => `    <vcpupin vcpu='${i}' cpuset='${c}'/>`).join('\n')}
    <emulatorpin cpuset='0-1'/>
  </cputune>
</domain>
`

describe('reading files for the imports', () => {
  it('refuses a file over the documented limit from its size alone, naming the file, the size and the limit', () => {
    expect(fileSizeProblem('libvirt', 'dom.xml', FILE_LIMITS.libvirt)).toBeUndefined()
    expect(fileSizeProblem('libvirt', 'huge.xml', 100 * 1024 * 1024)).toBe('huge.xml is 100 MiB, more than the 1 MiB this import reads — choose the right file, or cut it down to the part that matters')
    expect(fileSizeProblem('cmdline', 'cmdline', 65 * 1024)).toMatch(/is 65 KiB, more than the 64 KiB/)
    expect(fileSizeProblem('profile', 'p.json', 3 * 1024 * 1024)).toMatch(/more than the 2 MiB/)
  })

  it('imports two libvirt domains as two VMs: the one of the same name takes its domain, the other is new', () => {
    const p = previewImport(example, 'libvirt', domain('redis-vm', [8, 9, 10, 11]) + domain('cache-vm', [12, 13]))
    expect(p.ok).toBe(true)
    if (!p.ok) return
    expect(vmNamesOf(p.next)).toEqual(['redis-vm', 'cache-vm'])
    const loaded = loadProfile(p.next)
    expect(loaded.ok).toBe(true)
    if (!loaded.ok) return
    expect(loaded.profile.vms[0]?.pinning.vcpupin).toEqual(['8', '9', '10', '11'])
    expect(loaded.profile.vms[1]).toMatchObject({ name: 'cache-vm', vcpus: 2, pinning: { vcpupin: ['12', '13'] } })
    expect(p.info.join(' ')).toContain('Read 2 domains: redis-vm, cache-vm — one VM each.')
    // One domain still goes into the chosen VM.
    const one = previewImport(example, 'libvirt', domain('other', [4, 5, 6, 7]))
    expect(one.ok && vmNamesOf(one.next)).toEqual(['redis-vm'])
  })

  it('exports a configuration\'s guest kernel command line per VM', () => {
    expect(CONFIG_EXPORTS.map((s) => s.kind)).toContain('guest-cmdline')
    const loaded = loadProfile({ ...example, vms: [{ ...(example.vms as object[])[0], guest: { kernelVersion: '6.1', idlePoll: true } }] })
    expect(loaded.ok).toBe(true)
    if (!loaded.ok) return
    const out = exportConfiguration(loaded.profile, 'posted-timer', 'guest-cmdline')
    expect(out.ok).toBe(true)
    if (!out.ok) return
    expect(out.text).toContain('idle=poll')
    expect(out.fileName).toBe('posted-timer-posted-timer-redis-vm.guest-cmdline.txt')
  })
})

describe('readable field labels', () => {
  it('turns schema field names into words, keeping acronyms', async () => {
    const { fieldLabel } = await import('../../renderer/src/lib/schema-form.ts')
    expect(fieldLabel('coresPerSocket')).toBe('Cores per socket')
    expect(fieldLabel('numaNodesPerSocket')).toBe('NUMA nodes per socket')
    expect(fieldLabel('threadsPerCore')).toBe('Threads per core')
    expect(fieldLabel('kernelVersion')).toBe('Kernel version')
    expect(fieldLabel('txKickEvery')).toBe('TX kick every')
    expect(fieldLabel('vcpus')).toBe('vCPUs')
  })
})
