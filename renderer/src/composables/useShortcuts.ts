// Keyboard shortcuts of the common actions: Ctrl/Cmd+Enter runs all, Ctrl/Cmd+Shift+L
// switches the theme, Ctrl/Cmd+S saves the profile, Ctrl/Cmd+Z and Ctrl/Cmd+Shift+Z (or Ctrl+Y) undo and
// redo profile edits (outside text fields, which keep their own undo; a select or checkbox does not). Registered for the lifetime of
// the calling component.
import { onBeforeUnmount, onMounted } from 'vue'

export interface ShortcutHandlers {
  runAll(): void
  toggleTheme(): void
  save(): void
  undo(): void
  redo(): void
}

/** Which action a key event asks for, if any. Pure, for tests. */
export function shortcutFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): keyof ShortcutHandlers | undefined {
  const mod = e.ctrlKey || e.metaKey
  if (mod && !e.shiftKey && !e.altKey && e.key === 'Enter') return 'runAll'
  if (mod && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'l') return 'toggleTheme'
  if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 's') return 'save'
  if (mod && !e.altKey && e.key.toLowerCase() === 'z') return e.shiftKey ? 'redo' : 'undo'
  if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'y') return 'redo'
  // Escape never cancels a run: it closes the topmost dialog or popover (useEscapeStack.ts).
  return undefined
}

/** Inputs that keep their own undo (text); checkboxes, radios and selects do not, so Ctrl+Z undoes the profile edit. */
const NO_TEXT_INPUTS = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'])

export function isTextField(t: EventTarget | null): boolean {
  const el = t as { tagName?: string; type?: string; isContentEditable?: boolean } | null
  if (!el) return false
  if (el.tagName === 'INPUT') return !NO_TEXT_INPUTS.has(String(el.type ?? 'text').toLowerCase())
  return el.tagName === 'TEXTAREA' || el.isContentEditable === true
}

export function useShortcuts(h: ShortcutHandlers): void {
  const onKey = (e: KeyboardEvent): void => {
    const action = shortcutFor(e)
    if (!action) return
    if ((action === 'undo' || action === 'redo') && isTextField(e.target)) return
    e.preventDefault()
    h[action]()
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
