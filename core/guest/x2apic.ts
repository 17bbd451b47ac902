// The guest's APIC driver and how it sends a multicast IPI (arch/x86/kernel/apic/apic.c try_to_enable_x2apic(),
// x2apic_phys.c, x2apic_cluster.c). With x2APIC in the CPUID the guest runs physical x2APIC (x2apic_phys) or cluster
// x2APIC (x2apic_cluster):
// - try_to_enable_x2apic(): without interrupt remapping a guest may still use x2APIC (x86_init.hyper.x2apic_available(),
//   true under KVM), but "without IR, all CPUs can be addressed by IOAPIC/MSI only in physical mode", so it sets
//   x2apic_phys = 1. Before 5.10 it also gave x2APIC up when an APIC ID exceeded 255 ("IR is required if there is
//   APIC ID > 255 even when running under KVM": x2apic_disable(), the guest stays in xAPIC mode); from 5.10 (26573a97746c
//   "x86/apic: Fix x2apic enablement without interrupt remapping", David Woodhouse) it keeps x2APIC and leaves the
//   CPUs it cannot address offline (x2apic_set_max_apicid()). The fix went to stable branches too (4.19.y among them,
//   December 2020); the guest's patch level is not gated on here (core/kvm/backports.ts lists host fixes only).
// - x2apic_phys_probe(): physical when x2apic_phys is set (by the above, or the `x2apic_phys` boot parameter) or the
//   FADT asks for physical destination mode (x2apic_fadt_phys(): ACPI_FADT_APIC_PHYSICAL — QEMU's FADT sets only
//   FORCE_APIC_CLUSTER_MODEL, for more than 8 CPUs, never the physical flag); otherwise x2apic_cluster_probe() wins.
//   So a KVM guest is in cluster mode exactly when the VM has interrupt remapping (a vIOMMU: QEMU intel-iommu
//   intremap=on) and the guest is not booted with x2apic_phys.
// - __x2apic_send_IPI_mask(): physical mode writes the ICR once per target (APIC_DEST_PHYSICAL); cluster mode
//   "collapses cpus in a cluster so a single IPI per cluster is sent" — one ICR write (APIC_DEST_LOGICAL) per cluster
//   of up to 16 CPUs, the cluster being the x2APIC ID's bits 31:4 (the logical ID the LDR derives from it). The
//   single-target x2apic_send_IPI() of cluster mode is a logical-mode write too.
import { atLeast as versionAtLeast } from '../kernel-version.ts'

export type ApicDriver = 'x2apic_cluster' | 'x2apic_phys' | 'xapic'

export interface ApicDriverInputs {
  /** X86_FEATURE_X2APIC in the guest CPUID (vms[].kvm.x2apic). */
  x2apic: boolean
  /** The VM has interrupt remapping (a vIOMMU with intremap=on): try_to_enable_x2apic() gets IRQ_REMAP_X2APIC_MODE. */
  interruptRemapping: boolean
  /** The guest's `x2apic_phys` boot parameter. */
  x2apicPhysParam: boolean
  guestVersion: string
  /** The highest APIC ID of the VM's vCPUs (apicIdOf()). */
  maxApicId: number
}

/** try_to_enable_x2apic() then the x2apic_phys / x2apic_cluster probes: which driver a guest ends up with. */
export function apicDriver(i: ApicDriverInputs): { driver: ApicDriver; reason: string } {
  if (!i.x2apic) return { driver: 'xapic', reason: 'x2APIC is not in the guest CPUID: the guest sends IPIs by xAPIC MMIO writes' }
  if (!i.interruptRemapping) {
    if (i.maxApicId > 255 && !versionAtLeast(i.guestVersion, '5.10')) {
      return { driver: 'xapic', reason: `no interrupt remapping and an APIC ID above 255 (${i.maxApicId}): a ${i.guestVersion} guest's try_to_enable_x2apic() disables x2APIC ("IRQ remapping doesn't support X2APIC mode"; kept from 5.10 and stable backports of 26573a97746c, with the CPUs it cannot address offline)` }
    }
    return { driver: 'x2apic_phys', reason: 'no interrupt remapping: try_to_enable_x2apic() sets x2apic_phys ("without IR, all CPUs can be addressed by IOAPIC/MSI only in physical mode"), so x2apic_phys_probe() wins: one ICR write per target' }
  }
  if (i.x2apicPhysParam) return { driver: 'x2apic_phys', reason: 'interrupt remapping, but the guest boots with x2apic_phys: x2apic_phys_probe() wins, one ICR write per target' }
  return { driver: 'x2apic_cluster', reason: 'interrupt remapping (IRQ_REMAP_X2APIC_MODE) leaves x2apic_phys clear and QEMU\'s FADT does not ask for physical mode, so x2apic_cluster_probe() wins: one logical-mode ICR write per cluster of up to 16 CPUs (__x2apic_send_IPI_mask())' }
}

/** QEMU's x86_apicid_from_cpu_idx(): the APIC ID of vCPU `index` — thread, core and socket IDs packed in fields of
 *  the bit widths their counts need (apicid_bitwidth_for_count()), so a non-power-of-two core count leaves holes. */
export function apicIdOf(index: number, topo: { sockets: number; cores: number; threads: number }): number {
  const smtBits = bitWidth(topo.threads)
  const coreBits = bitWidth(topo.cores)
  const thread = index % topo.threads
  const core = Math.floor(index / topo.threads) % topo.cores
  const socket = Math.floor(index / (topo.threads * topo.cores))
  return (socket << (smtBits + coreBits)) | (core << smtBits) | thread
}

function bitWidth(count: number): number {
  return count <= 1 ? 0 : Math.ceil(Math.log2(count))
}

/** init_x2apic_ldr(): the x2APIC cluster of an APIC ID (the logical ID's bits 31:16 are the APIC ID's bits 31:4). */
export function x2apicClusterOf(apicId: number): number {
  return apicId >>> 4
}

/** KVM_IPI_CLUSTER_SIZE (arch/x86/kernel/kvm.c): the APIC IDs one KVM_HC_SEND_IPI bitmap covers, 2 × BITS_PER_LONG. */
export const KVM_IPI_CLUSTER_SIZE = 128

/** __send_ipi_mask() (arch/x86/kernel/kvm.c, the PV IPI send_IPI_mask() from guest 4.19, aaffcfd1e82d): walking the
 *  mask in CPU order it gathers APIC IDs into a 128-bit bitmap based at `min`; an ID below min is taken by shifting
 *  the bitmap when the window still spans it (max − id < 128), an ID above min when id < min + 128; any other ID sends
 *  the bitmap (one hypercall) and starts the next window at it. Returns how many of the n targets (apicIds[0…n−1], in
 *  mask order) the first hypercall carries — all n when the mask's IDs span less than 128. The third test read
 *  `apic_id < min + KVM_IPI_CLUSTER_SIZE` before c15e0ae42c8e ("KVM: x86: fix sending PV IPI", 5.18 and stable),
 *  which took an ID below min that the window could not shift to; masks walked in CPU order with IDs ascending, as
 *  QEMU numbers them, never reach it. */
export function pvIpiFirstHypercallTargets(apicIds: ArrayLike<number>, n: number): number {
  let min = 0
  let max = 0
  for (let i = 0; i < n; i++) {
    const id = apicIds[i]!
    if (i === 0) { min = max = id; continue }
    if (id < min && max - id < KVM_IPI_CLUSTER_SIZE) min = id
    else if (id > min && id < min + KVM_IPI_CLUSTER_SIZE) max = Math.max(max, id)
    else return i
  }
  return n
}
