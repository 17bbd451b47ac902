/// <reference types="vite/client" />
// `window.kvmbench` (the preload's API, absent in the browser host) is declared in preload/index.d.ts.
export {}
