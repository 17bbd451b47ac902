// libvirt domain XML, both ways: libvirt-import.ts reads domains into VM fields, libvirt-export.ts writes
// a configuration's VM as a domain.
export { importLibvirt, importLibvirtDomains, MAX_DOMAINS } from './libvirt-import.ts'
export type { LibvirtVmFragment, LibvirtImportOptions } from './libvirt-import.ts'
export { exportLibvirt, vmToLibvirt, QEMU_NS, MONITOR_WITHOUT_CPU_PM } from './libvirt-export.ts'
export type { LibvirtExportOptions } from './libvirt-export.ts'
