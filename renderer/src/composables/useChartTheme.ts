// The ECharts theme and chart style that follow the app's theme.
import { computed, type ComputedRef } from 'vue'
import { useThemeStore } from '../stores/theme.ts'
import type { ChartStyle } from '../charts/common.ts'

export function useChartTheme(): { theme: ComputedRef<string | undefined>; style: ComputedRef<ChartStyle> } {
  const t = useThemeStore()
  return {
    /** ECharts' built-in `dark` theme, or the default light theme. */
    theme: computed(() => (t.dark ? 'dark' : undefined)),
    style: computed(() => ({ dark: t.dark })),
  }
}
