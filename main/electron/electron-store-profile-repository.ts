// Profiles in electron-store (userData/profiles.json) for the desktop app. Only the Electron main process
// imports this file: electron-store imports 'electron' at load time.
import Store from 'electron-store'
import { PROFILE_STORE_SCHEMA, StoreProfileRepository } from '../services/profile-repository.ts'
import type { ProfileStoreData } from '../services/profile-repository.ts'

export class ElectronStoreProfileRepository extends StoreProfileRepository {
  constructor() {
    super(new Store<ProfileStoreData>({ name: 'profiles', schema: PROFILE_STORE_SCHEMA, clearInvalidConfig: false, accessPropertiesByDotNotation: false }))
  }
}
