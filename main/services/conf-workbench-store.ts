// The workbench's drafts and last session in a `conf` JSON file (`<dir>/workbench.json`, mode 0600) for
// the browser host and the CLI; the desktop app keeps the same file with electron-store
// (main/electron/electron-store-workbench-store.ts).
import Conf from 'conf'
import { PROFILE_STORE_FILE_MODE } from './profile-repository.ts'
import type { KeyValueStore } from './workbench-state-service.ts'

export const WORKBENCH_STORE_NAME = 'workbench'

export function confWorkbenchStore(dir: string): KeyValueStore {
  const conf = new Conf<Record<string, unknown>>({ cwd: dir, configName: WORKBENCH_STORE_NAME, accessPropertiesByDotNotation: false, configFileMode: PROFILE_STORE_FILE_MODE, clearInvalidConfig: true })
  return { get: (k) => conf.get(k), set: (k, v) => conf.set(k, v) }
}
