// Ambient declarations for modules without their own types.
declare module 'echarts/lib/renderer/installSVGRenderer.js' {
  /** The SVG renderer's installer (what `SVGRenderer` from 'echarts/renderers' is), loaded on demand. */
  export const install: Parameters<typeof import('echarts/core').use>[0]
}


declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}
