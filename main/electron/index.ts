// The Electron main process: a thin shell around the services shared with the browser host. Security
// from the first line (Electron's security checklist, electronjs.org/docs/latest/tutorial/security):
// sandboxed, context-isolated windows without Node; the renderer served from app://kvmbench/ (not file://)
// with a strict CSP; window.open, navigation away, <webview> and permission requests refused; every IPC
// sender and payload validated (ipc.ts).
import { join } from 'node:path'
import { BrowserWindow, Menu, app } from 'electron'
import { createServices } from '../services/create-services.ts'
import type { Services } from '../services/create-services.ts'
import { APP_ORIGIN, APP_URL, handleAppProtocol, registerAppScheme } from './app-protocol.ts'
import { ElectronStoreProfileRepository } from './electron-store-profile-repository.ts'
import { electronWorkbenchStore } from './electron-store-workbench-store.ts'
import { broadcastRunEvent, registerIpc } from './ipc.ts'
import { buildMenu } from './menu.ts'
import { hardenApp } from './security.ts'
import { appUrlCheck } from './trust.ts'
import { UtilityProcessLauncher } from './utility-process-launcher.ts'
import { createMainWindow } from './window.ts'
import { ElectronReportPrinter } from './report-window.ts'

// `electron-vite dev` serves the renderer with HMR from this URL; otherwise the built files via app://.
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const isAppUrl = appUrlCheck([APP_ORIGIN, ...(devUrl ? [devUrl] : [])])

registerAppScheme()
hardenApp(isAppUrl)

let services: Services | undefined

function openWindow(): BrowserWindow {
  return createMainWindow(devUrl ?? APP_URL)
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0]
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })

  app.whenReady().then(() => {
    handleAppProtocol(join(import.meta.dirname, '../renderer'))
    services = createServices({
      host: 'electron',
      version: app.getVersion(),
      launcher: new UtilityProcessLauncher(),
      prestartWorkers: true,
      repository: new ElectronStoreProfileRepository(),
      workbenchStore: electronWorkbenchStore(),
      resultsDir: join(app.getPath('userData'), 'results'),
      examplesDir: join(app.getAppPath(), 'examples'),
      printer: new ElectronReportPrinter(devUrl ?? APP_ORIGIN),
    })
    void services.runs.loadSaved()
    services.onEvent(broadcastRunEvent)
    registerIpc(services.router, isAppUrl)
    Menu.setApplicationMenu(buildMenu(devUrl !== undefined))
    openWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow()
    })
  }).catch((e: unknown) => {
    console.error('kvmbench: failed to start:', e)
    app.exit(1)
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  // SIGTERM / SIGINT quit the app the normal way, so active runs are written as "interrupted".
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => app.quit())

  let disposed = false
  app.on('before-quit', (event) => {
    if (disposed || !services) return
    event.preventDefault()
    disposed = true
    void services.dispose().finally(() => app.quit())
  })
}
