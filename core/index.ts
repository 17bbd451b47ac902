// The public surface of the simulation core. Pure TypeScript: no Electron, Node or DOM APIs.
export type { Profile, Configuration, Vm, Host } from './profile/profile-schema.ts'
export type { ConfigResult, RunResultJson, ExitRow, VmResult, Decision } from './result.ts'
export { RESULT_SCHEMA_VERSION } from './result.ts'
export { loadProfile, configurationNames, resolveConfiguration, profileJsonSchema } from './profile/load-profile.ts'
export type { LoadResult } from './profile/load-profile.ts'
export { runConfiguration } from './sim/run-configuration.ts'
export type { RunOptions } from './sim/run-configuration.ts'
export { formatConfigReport, formatCompareTable } from './output/text-report.ts'
