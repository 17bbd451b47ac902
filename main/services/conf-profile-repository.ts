// Profiles in a `conf` JSON file in a chosen directory (browser host, CLI, tests). conf is electron-store
// without Electron, so this behaves like the desktop app's repository without importing 'electron'.
import Conf from 'conf'
import { PROFILE_STORE_SCHEMA, StoreProfileRepository } from './profile-repository.ts'
import type { ProfileStoreData } from './profile-repository.ts'

export class ConfProfileRepository extends StoreProfileRepository {
  /** Stores profiles in `<dir>/profiles.json`. */
  constructor(dir: string) {
    super(new Conf<ProfileStoreData>({ cwd: dir, configName: 'profiles', schema: PROFILE_STORE_SCHEMA, clearInvalidConfig: false, accessPropertiesByDotNotation: false }))
  }
}
