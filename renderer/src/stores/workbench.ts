// The workbench's tab, shared so that other views can open one (e.g. "Edit" on a configuration).
import { acceptHMRUpdate, defineStore } from 'pinia'
import { ref } from 'vue'

export type WorkbenchTab = 'setup' | 'configs' | 'results' | 'comparison' | 'sweep'
/** The dialog open over the app, if any. */
export type AppDialog = 'library' | 'save-as' | 'import' | 'new-profile' | 'this-machine'

export const useWorkbenchStore = defineStore('workbench', () => {
  const tab = ref<WorkbenchTab>('setup')
  const dialog = ref<AppDialog | undefined>(undefined)
  /** The one popover open (an export menu, say): opening another closes it. */
  const popover = ref<string | undefined>(undefined)
  return { tab, dialog, popover }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useWorkbenchStore, import.meta.hot))
