// Profiles in a `conf` JSON file in a chosen directory (browser host, CLI, tests). conf is electron-store
// without Electron, so this is the desktop app's repository (the same StoreProfileRepository, the same
// checks and recovery) without importing 'electron'.
import { join } from 'node:path'
import Conf from 'conf'
import { PROFILE_STORE_FILE_MODE, PROFILE_STORE_NAME, PROFILE_STORE_SCHEMA, StoreProfileRepository, openCheckedStore } from './profile-repository.ts'
import type { ProfileStoreData } from './profile-repository.ts'

export class ConfProfileRepository extends StoreProfileRepository {
  /** Stores profiles in `<dir>/profiles.json`; a damaged file there is kept aside and recovered first. */
  constructor(dir: string, o: { now?: () => Date } = {}) {
    const now = o.now ?? (() => new Date())
    const { store, reports } = openCheckedStore(join(dir, `${PROFILE_STORE_NAME}.json`), () => new Conf<ProfileStoreData>({
      cwd: dir, configName: PROFILE_STORE_NAME, schema: PROFILE_STORE_SCHEMA, clearInvalidConfig: false, accessPropertiesByDotNotation: false, configFileMode: PROFILE_STORE_FILE_MODE,
    }), now)
    super(store, store.path, { now, reports })
  }
}
