// Commands the desktop app's menu sends to the page (channel `kvmbench:menu`). Exposed by the preload as
// `window.kvmbenchMenu.onCommand(cb)`; the browser host has no application menu.
export type MenuCommand =
  | { command: 'open-profile'; fileName: string; profile: unknown }
  | { command: 'open-profile-failed'; fileName: string; message: string }
  | { command: 'save' }
  | { command: 'toggle-theme' }

export const MENU_CHANNEL = 'kvmbench:menu'
