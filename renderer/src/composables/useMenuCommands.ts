// Commands from the desktop app's menu (Electron only; the browser host has no application menu).
import { onBeforeUnmount, onMounted } from 'vue'
import type { MenuCommand } from '../../../preload/menu-command.ts'

export interface MenuHandlers {
  openProfile(fileName: string, profile: unknown): void
  openFailed(fileName: string, message: string): void
  save(): void
  toggleTheme(): void
}

/** Dispatches one menu command. Pure, for tests. */
export function handleMenuCommand(c: MenuCommand, h: MenuHandlers): void {
  switch (c.command) {
    case 'open-profile':
      return h.openProfile(c.fileName, c.profile)
    case 'open-profile-failed':
      return h.openFailed(c.fileName, c.message)
    case 'save':
      return h.save()
    case 'toggle-theme':
      return h.toggleTheme()
  }
}

export function useMenuCommands(h: MenuHandlers): void {
  let off: (() => void) | undefined
  onMounted(() => {
    off = window.kvmbenchMenu?.onCommand((c) => handleMenuCommand(c, h))
  })
  onBeforeUnmount(() => off?.())
}
