// Escape closes the topmost dialog or popover — only that one, and never cancels a run. Dialogs and
// popovers register a close function while they are open (useEscapeToClose); the app installs the one
// key listener (useEscapeStack). The stack is module state: there is one app per window.
import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue'

const stack: (() => void)[] = []

/** Handles one key event: Escape closes the topmost registered overlay. Returns whether it did. */
export function escapeTopmost(e: Pick<KeyboardEvent, 'key' | 'preventDefault' | 'stopPropagation'>): boolean {
  if (e.key !== 'Escape' || stack.length === 0) return false
  e.preventDefault()
  e.stopPropagation()
  stack[stack.length - 1]!()
  return true
}

/** How many overlays are open (tests). */
export function openOverlays(): number {
  return stack.length
}

/** Registers `close` while the calling component is mounted (and `active`, when given, is true). */
export function useEscapeToClose(close: () => void, active?: Ref<boolean>): void {
  const entry = (): void => close()
  const add = (): void => {
    if (!stack.includes(entry)) stack.push(entry)
  }
  const remove = (): void => {
    const i = stack.indexOf(entry)
    if (i >= 0) stack.splice(i, 1)
  }
  if (active) watch(active, (on) => (on ? add() : remove()))
  onMounted(() => {
    if (!active || active.value) add()
  })
  onBeforeUnmount(remove)
}

/** The app's one Escape listener (capture phase, before any field sees the key). */
export function useEscapeStack(): void {
  const onKey = (e: KeyboardEvent): void => void escapeTopmost(e)
  onMounted(() => window.addEventListener('keydown', onKey, true))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey, true))
}
