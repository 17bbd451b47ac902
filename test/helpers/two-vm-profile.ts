// A 2-VM, 3-configuration profile for the Results and report tests (issue 16): the posted-timer example's
// host and redis VM, plus a second redis VM on CPUs 8-11, and three configurations — the timer
// interrupt on the vCPU's pCPU, posted, and kvm's default (pi_inject_timer=-1, on because nohz_full is
// set: the same effective decisions as posted-timer). irqaffinity keeps a cpulist in the command line.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '../../main/paths.ts'

export const TWO_VM_CONFIGS = ['sw-timer', 'posted-timer', 'pi-default'] as const

export function twoVmProfile(durationSec = 0.1): Record<string, unknown> {
  const ex = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'posted-timer.json'), 'utf8')) as { host: { kernel: { cmdline: Record<string, string> } }; vms: Record<string, unknown>[]; run: Record<string, unknown>; configurations: unknown[] }
  const redis = ex.vms[0] as { pinning: Record<string, unknown> }
  const second = { ...redis, name: 'cache-vm', pinning: { ...redis.pinning, vcpupin: ['8', '9', '10', '11'] } }
  return {
    ...ex,
    name: 'two redis VMs',
    description: 'Two pinned redis VMs, three timer configurations.',
    host: { ...ex.host, kernel: { ...ex.host.kernel, cmdline: { ...ex.host.kernel.cmdline, irqaffinity: '0-1,16-17' } } },
    vms: [redis, second],
    run: { ...ex.run, durationSec },
    configurations: [
      ...ex.configurations,
      { name: 'pi-default', description: 'pi_inject_timer=-1 (the default): on, since nohz_full is set.', overrides: { host: { kvm: { piInjectTimer: -1 } } } },
    ],
  }
}
