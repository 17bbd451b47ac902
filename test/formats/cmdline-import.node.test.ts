// /proc/cmdline as real hosts have it: a realtime KVM host's long line (fixture), nosmt, C-state limits,
// nohz=off, mitigations=, a bare rcu_nocbs, kvm_intel and kvm_amd parameters on one line, contradictions,
// and every ignored token listed in full (also in `kvmbench import cmdline --json`).
import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importCmdline } from '../../core/formats/cmdline.ts'
import type { CmdlineImport } from '../../core/formats/cmdline.ts'

const RT_HOST = readFileSync(join(import.meta.dirname, 'fixtures', 'proc-cmdline-rt-host.txt'), 'utf8')
const read = (text: string, opts: Parameters<typeof importCmdline>[1] = {}): { value: CmdlineImport; warnings: string[] } => {
  const r = importCmdline(text, opts)
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'))
  return { value: r.value, warnings: r.warnings }
}

describe('/proc/cmdline of a realtime KVM host', () => {
  it('takes what the bench models, notes nosmt=force, processor.max_cstate, mitigations=off, and lists every ignored token in full', () => {
    const { value, warnings } = read(RT_HOST, { nrCpus: 56, vendor: 'vmx' })
    expect(value.host.kernel.cmdline).toEqual({ isolcpus: 'managed_irq,domain,4-27,32-55', nohzFull: '4-27,32-55', rcuNocbs: '4-27,32-55', irqaffinity: '0-3,28-31', intelIdleMaxCstate: 1, idle: 'poll' })
    expect(value.host.topology).toEqual({ threadsPerCore: 1 })
    expect(value.host.kvm).toEqual({ haltPoll: { haltPollNs: 0 }, pleGap: 0 })
    expect(value.ignored).toEqual(['BOOT_IMAGE=/vmlinuz-6.8.0-45-generic', 'root=/dev/mapper/vg0-root', 'ro', 'quiet', 'splash',
      'crashkernel=2G-4G:320M,4G-32G:512M,32G-64G:1024M,64G-128G:2048M,128G-:4096M', 'intel_iommu=on', 'iommu=pt', 'default_hugepagesz=1G', 'hugepagesz=1G',
      'hugepages=96', 'transparent_hugepage=never', 'rcu_nocb_poll', 'tsc=reliable', 'nosoftlockup', 'skew_tick=1', 'audit=0', 'nmi_watchdog=0',
      'kvm.nx_huge_pages=off', 'selinux=0', 'console=tty0', 'console=ttyS0,115200n8'])
    const all = warnings.join('\n')
    expect(all).toMatch(/nosmt=force: the sibling threads stay offline — host.topology.threadsPerCore is 1 \(force: SMT cannot be turned on at runtime\)/)
    expect(all).toMatch(/processor.max_cstate=1: intel_idle.max_cstate=1 is also given.*the intel_idle limit is kept/)
    expect(all).toMatch(/mitigations=off: noted/)
    expect(all).toMatch(/"kvm.nx_huge_pages": a KVM module parameter the bench does not model/)
    // the whole list, not cut at 200 characters: the last tokens are there
    const list = warnings.find((w) => w.startsWith('ignored 22 tokens'))!
    expect(list).toContain('nmi_watchdog=0 kvm.nx_huge_pages=off selinux=0 console=tty0 console=ttyS0,115200n8')
    expect(list.length).toBeGreaterThan(300)
  })

  it('`kvmbench import cmdline --json -` lists the ignored tokens too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvmbench-cmdline-'))
    try {
      const file = join(dir, 'cmdline')
      writeFileSync(file, RT_HOST)
      const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'main', 'cli', 'kvmbench.ts'), 'import', 'cmdline', file, '--json', '-'], { encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
      const json = JSON.parse(r.stdout) as { ignored: string[]; host: unknown }
      expect(json.ignored).toContain('nmi_watchdog=0')
      expect(json.ignored).toHaveLength(22)
      expect(r.stderr).toMatch(/ignored 22 tokens.*console=ttyS0,115200n8/)
      writeFileSync(file, '')
      const empty = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'main', 'cli', 'kvmbench.ts'), 'import', 'cmdline', file], { encoding: 'utf8' })
      expect(empty.status).toBe(2)
      expect(empty.stderr).toMatch(/\/proc\/cmdline: "": is empty/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('/proc/cmdline parameters one by one', () => {
  it('nosmt (runtime-reversible) and nosmt=force both give one thread per core; nosmt=on is refused', () => {
    expect(read('nosmt').value.host.topology).toEqual({ threadsPerCore: 1 })
    expect(read('nosmt').warnings.join('\n')).toMatch(/smt\/control/)
    expect(read('nosmt=force').value.host.topology).toEqual({ threadsPerCore: 1 })
    expect(importCmdline('nosmt=on').ok).toBe(false)
  })

  it('processor.max_cstate: the limit on AMD (acpi_idle) and with intel_idle off; no effect under intel_idle', () => {
    expect(read('processor.max_cstate=1', { vendor: 'svm' }).value.host.kernel.cmdline.intelIdleMaxCstate).toBe(1)
    expect(read('intel_idle.max_cstate=0 processor.max_cstate=2', { vendor: 'vmx' }).value.host.kernel.cmdline.intelIdleMaxCstate).toBe(2)
    const intel = read('processor.max_cstate=1', { vendor: 'vmx' })
    expect(intel.value.host.kernel.cmdline.intelIdleMaxCstate).toBeUndefined()
    expect(intel.warnings.join('\n')).toMatch(/intel_idle drives idle and ignores it.*not applied/)
    expect(read('processor.max_cstate=1').warnings.join('\n')).toMatch(/on an Intel host with intel_idle it has no effect/)
  })

  it('nohz=off voids nohz_full= (no CPU stops its tick) and says so; nohz=on changes nothing', () => {
    const off = read('nohz=off nohz_full=2-7 rcu_nocbs=2-7', { nrCpus: 8 })
    expect(off.value.host.kernel.cmdline).toEqual({ nohzFull: '', rcuNocbs: '2-7' })
    expect(off.warnings.join('\n')).toMatch(/nohz=off: no CPU stops its tick.*nohz_full=2-7 has no effect/)
    expect(read('nohz=on nohz_full=2-7', { nrCpus: 8 }).value.host.kernel.cmdline).toEqual({ nohzFull: '2-7' })
    expect(importCmdline('nohz=maybe').ok).toBe(false)
  })

  it('a bare rcu_nocbs (accepted since v5.17) offloads no CPU at boot', () => {
    const r = read('rcu_nocbs nohz_full=2-7', { nrCpus: 8 })
    expect(r.value.host.kernel.cmdline).toEqual({ rcuNocbs: '', nohzFull: '2-7' })
    expect(r.value.ignored).toEqual([])
    expect(r.warnings.join('\n')).toMatch(/rcu_nocbs without a list \(accepted since v5.17\)/)
  })

  it('kvm_intel and kvm_amd parameters on one line: a warning, and only the host CPU\'s module applied', () => {
    const line = 'kvm_intel.ple_gap=0 kvm_amd.pause_filter_thresh=0 kvm_amd.avic=1 kvm_intel.enable_apicv=0 kvm.halt_poll_ns=50000'
    const unknown = read(line)
    expect(unknown.value.host.kvm).toEqual({ haltPoll: { haltPollNs: 50000 } })
    expect(unknown.warnings.join('\n')).toMatch(/mixes kvm_intel parameters \(kvm_intel.ple_gap=0 kvm_intel.enable_apicv=0\) and kvm_amd parameters \(kvm_amd.pause_filter_thresh=0 kvm_amd.avic=1\).*neither is applied/)
    expect(read(line, { vendor: 'vmx' }).value.host.kvm).toEqual({ haltPoll: { haltPollNs: 50000 }, pleGap: 0, enableApicv: false })
    expect(read(line, { vendor: 'svm' }).value.host.kvm).toEqual({ haltPoll: { haltPollNs: 50000 }, pleGap: 0, enableApicv: true })
    // one vendor only: applied as written, no warning
    expect(read('kvm_amd.avic=1').warnings).toEqual([])
  })

  it('guest-only cpuidle-haltpoll parameters point at the VM fields that model them, and are not applied to the host', () => {
    const r = read('cpuidle_haltpoll.force=1 haltpoll.guest_halt_poll_ns=0 nohz_full=2-3', { nrCpus: 4 })
    expect(r.value.ignored).toEqual(['cpuidle_haltpoll.force=1', 'haltpoll.guest_halt_poll_ns=0'])
    expect(r.value.host.kernel.cmdline).toEqual({ nohzFull: '2-3' })
    const w = r.warnings.join('\n')
    expect(w).toMatch(/cpuidle_haltpoll\.force"?: a guest kernel parameter .* vms\[\]\.guest\.haltpoll/)
    expect(w).toMatch(/haltpoll\.guest_halt_poll_ns"?: a guest kernel parameter .* guestHaltPollNs/)
  })

  it('contradictions: the boot CPU in nohz_full=, irqaffinity= inside the isolated CPUs', () => {
    const r = read('nohz_full=0-7 irqaffinity=4-5 isolcpus=domain,4-7', { nrCpus: 8 })
    const all = r.warnings.join('\n')
    expect(all).toMatch(/nohz_full= includes CPU 0, the boot CPU: tick_nohz_init\(\) clears it/)
    expect(all).toMatch(/irqaffinity=4-5 lies entirely inside the isolated CPUs.*CPUs 4-5/)
    const overlap = read('nohz_full=2-7 irqaffinity=0-2', { nrCpus: 8 })
    expect(overlap.warnings.join('\n')).toMatch(/irqaffinity=0-2 overlaps the isolated CPUs.*CPU 2,/)
    expect(read('nohz_full=2-7 irqaffinity=0-1', { nrCpus: 8 }).warnings).toEqual([])
  })

  it('an empty file is an error, not an empty profile fragment', () => {
    for (const t of ['', '\n', '   \n']) {
      const r = importCmdline(t)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.errors[0]!.message).toMatch(/is empty/)
    }
  })
})
