// SVG export: the app draws on canvas, so an SVG is rendered on demand by a server-side-rendering
// ECharts instance with the SVG renderer, whose code is loaded only when the user asks for one.
import { init, use } from 'echarts/core'
import type { ChartOption } from '../charts/common.ts'

let svgReady: Promise<void> | undefined

function loadSvgRenderer(): Promise<void> {
  svgReady ??= import('echarts/lib/renderer/installSVGRenderer.js').then((m) => use(m.install))
  return svgReady
}

export async function renderSvg(option: ChartOption, theme: string | undefined, width: number, height: number, background: string): Promise<string> {
  await loadSvgRenderer()
  const chart = init(null, theme, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({ ...option, backgroundColor: background, toolbox: { show: false }, dataZoom: [] })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}
