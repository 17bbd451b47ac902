// Keyboard shortcuts of the common actions: Ctrl/Cmd+Enter runs all, Escape cancels, Ctrl/Cmd+Shift+L
// switches the theme, Ctrl/Cmd+S saves the profile. Registered for the lifetime of the calling component.
import { onBeforeUnmount, onMounted } from 'vue'

export interface ShortcutHandlers {
  runAll(): void
  cancel(): void
  toggleTheme(): void
  save(): void
}

/** Which action a key event asks for, if any. Pure, for tests. */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): keyof ShortcutHandlers | undefined {
  const mod = e.ctrlKey || e.metaKey
  if (mod && !e.shiftKey && !e.altKey && e.key === 'Enter') return 'runAll'
  if (mod && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'l') return 'toggleTheme'
  if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 's') return 'save'
  if (!mod && !e.altKey && e.key === 'Escape') return 'cancel'
  return undefined
}

export function useShortcuts(h: ShortcutHandlers): void {
  const onKey = (e: KeyboardEvent): void => {
    const action = shortcutFor(e)
    if (!action) return
    e.preventDefault()
    h[action]()
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
