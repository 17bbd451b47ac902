// The knobs the advisor searches when the goal names none: the KVM features an engineer tunes per host
// (docs/sweep.md, "The advisor"), for every VM of the profile.
import type { Profile } from '../profile/profile-schema.ts'
import type { SweepAxis } from '../sweep/sweep-spec.ts'

export function defaultKnobs(profile: Profile): SweepAxis[] {
  const knobs: SweepAxis[] = [
    { path: 'host.kvm.haltPoll.haltPollNs', values: [0, 50_000, 200_000, 400_000], label: 'halt_poll_ns' },
    { path: 'host.kvm.piInjectTimer', values: [0, 1], label: 'pi_inject_timer' },
  ]
  profile.vms.forEach((vm, i) => {
    knobs.push(
      { path: `vms[${i}].kvm.disableExits.hlt`, values: [false, true], label: `${vm.name}: HLT exits off` },
      { path: `vms[${i}].kvm.hintDedicated`, values: [false, true], label: `${vm.name}: dedicated hint` },
    )
  })
  return knobs
}
