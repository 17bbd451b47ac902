// Dark or light theme, persisted in localStorage; applied as `data-theme` on <html>.
import { acceptHMRUpdate, defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'

export type ThemeName = 'dark' | 'light'
export const THEME_STORAGE_KEY = 'kvmbench.theme'

function initialTheme(): ThemeName {
  try {
    const saved = globalThis.localStorage?.getItem(THEME_STORAGE_KEY)
    if (saved === 'dark' || saved === 'light') return saved
  } catch {
    // storage unavailable: fall through
  }
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
}

export const useThemeStore = defineStore('theme', () => {
  /** The current theme. */
  const theme = ref<ThemeName>(initialTheme())
  const dark = computed(() => theme.value === 'dark')

  function setTheme(t: ThemeName): void {
    theme.value = t
  }
  function toggle(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark'
  }

  watch(
    theme,
    (t) => {
      try {
        globalThis.localStorage?.setItem(THEME_STORAGE_KEY, t)
      } catch {
        // ignore
      }
      if (typeof document !== 'undefined') document.documentElement.dataset.theme = t
    },
    { immediate: true },
  )

  return { theme, dark, setTheme, toggle }
})

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useThemeStore, import.meta.hot))
