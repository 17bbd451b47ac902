// Profiles in electron-store (userData/profiles.json) for the desktop app: the same StoreProfileRepository
// as ConfProfileRepository, so the same checks, recovery and trash. Only the Electron main process imports
// this file: electron-store imports 'electron' at load time.
import { join } from 'node:path'
import { app } from 'electron'
import Store from 'electron-store'
import { PROFILE_STORE_FILE_MODE, PROFILE_STORE_NAME, PROFILE_STORE_SCHEMA, StoreProfileRepository, openCheckedStore } from '../services/profile-repository.ts'
import type { ProfileStoreData } from '../services/profile-repository.ts'

export class ElectronStoreProfileRepository extends StoreProfileRepository {
  constructor(dir: string = app.getPath('userData')) {
    const now = (): Date => new Date()
    const { store, reports } = openCheckedStore(join(dir, `${PROFILE_STORE_NAME}.json`), () => new Store<ProfileStoreData>({
      cwd: dir, name: PROFILE_STORE_NAME, schema: PROFILE_STORE_SCHEMA, clearInvalidConfig: false, accessPropertiesByDotNotation: false, configFileMode: PROFILE_STORE_FILE_MODE,
    }), now)
    super(store, store.path, { now, reports })
  }
}
