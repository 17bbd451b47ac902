// The application menu with the usual accelerators. Commands the page must carry out (open a profile,
// save, toggle the theme) are sent to the focused window as MenuCommands.
import { basename } from 'node:path'
import { BrowserWindow, Menu, app, dialog } from 'electron'
import type { MenuItemConstructorOptions } from 'electron'
import { MENU_CHANNEL } from '../../preload/menu-command.ts'
import type { MenuCommand } from '../../preload/menu-command.ts'
import { readInputFile } from '../services/input-file.ts'

const MAX_PROFILE_BYTES = 4 * 1024 * 1024

function send(cmd: MenuCommand): void {
  const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0]
  win?.webContents.send(MENU_CHANNEL, cmd)
}

async function openProfile(): Promise<void> {
  const win = BrowserWindow.getFocusedWindow()
  const options = { title: 'Open profile', properties: ['openFile' as const], filters: [{ name: 'kvmbench profile', extensions: ['json'] }] }
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
  const path = r.filePaths[0]
  if (r.canceled || !path) return
  const fileName = basename(path)
  try {
    // the size is checked before the file is read, and the read stops at the limit
    const text = await readInputFile(path, MAX_PROFILE_BYTES, 'profile')
    send({ command: 'open-profile', fileName, profile: JSON.parse(text) as unknown })
  } catch (e) {
    send({ command: 'open-profile-failed', fileName, message: (e as Error).message })
  }
}

export function buildMenu(isDev: boolean): Menu {
  const template: MenuItemConstructorOptions[] = [
    {
      label: '&File',
      submenu: [
        { label: '&Open profile…', accelerator: 'CmdOrCtrl+O', click: () => void openProfile() },
        { label: '&Save', accelerator: 'CmdOrCtrl+S', click: () => send({ command: 'save' }) },
        { type: 'separator' },
        { role: 'quit', accelerator: 'CmdOrCtrl+Q' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        ...(isDev ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[] : []),
        { label: 'Toggle &theme', accelerator: 'CmdOrCtrl+Shift+L', click: () => send({ command: 'toggle-theme' }) },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: '&Help',
      submenu: [
        {
          label: '&About kvmbench',
          click: () => {
            void dialog.showMessageBox({
              type: 'info',
              title: 'About kvmbench',
              message: `kvmbench ${app.getVersion()}`,
              detail: 'A lab bench for tuning hosts that run dedicated (pinned) KVM instances: a discrete-event simulation of pCPUs, vCPUs, timers, interrupts and VM exits.',
            })
          },
        },
      ],
    },
  ]
  return Menu.buildFromTemplate(template)
}
