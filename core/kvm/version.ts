// Kernel version comparison for the decision functions ("5.3", "5.10.180", "6.8").
export { atLeast as versionAtLeast } from '../kernel-version.ts'
