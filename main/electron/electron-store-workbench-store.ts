// The workbench's drafts and last session in electron-store (userData/workbench.json): the desktop
// app's counterpart of main/services/conf-workbench-store.ts. Only the Electron main process imports it.
import { app } from 'electron'
import Store from 'electron-store'
import { PROFILE_STORE_FILE_MODE } from '../services/profile-repository.ts'
import { WORKBENCH_STORE_NAME } from '../services/conf-workbench-store.ts'
import type { KeyValueStore } from '../services/workbench-state-service.ts'

export function electronWorkbenchStore(dir: string = app.getPath('userData')): KeyValueStore {
  const store = new Store<Record<string, unknown>>({ cwd: dir, name: WORKBENCH_STORE_NAME, accessPropertiesByDotNotation: false, configFileMode: PROFILE_STORE_FILE_MODE, clearInvalidConfig: true })
  return { get: (k) => store.get(k), set: (k, v) => store.set(k, v) }
}
