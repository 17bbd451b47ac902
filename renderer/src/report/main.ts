// The report page (report.html): fetches one frozen snapshot with the read-only `reports.snapshot` call,
// renders it, draws the charts with ECharts' SVG renderer (no animation), then marks the document ready
// — `<html data-report-ready="true">` — for the printer (webContents.printToPDF or page.pdf) to print.
// Query: `?run=RUN_ID&pageSize=A4|Letter[&baseline=CONFIG]` (the baseline chosen in the app).
import { init, use } from 'echarts/core'
import type { EChartsType } from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TitleComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'
import type { ReportSnapshot } from '../../../core/api/protocol.ts'
import { httpClient } from '../api/http-client.ts'
import { pageToken } from '../api/token.ts'
import type { ChartOption } from '../charts/common.ts'
import { eiHistogramOption, latencyChartOption, throughputChartOption } from './charts.ts'
import { h, renderReport } from './render.ts'
import './report.css'

use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer])

export const PAGE_SIZES = { A4: 'A4', Letter: 'letter' } as const
export type PageSize = keyof typeof PAGE_SIZES

const CHART_HEIGHT = 270

function setPageSize(size: PageSize): void {
  const style = document.createElement('style')
  style.textContent = `@page { size: ${PAGE_SIZES[size]} portrait; }`
  document.head.append(style)
  document.documentElement.dataset.pageSize = size
}

/** Chart size in CSS px: fits the text width of both A4 (186 mm ≈ 703 px) and Letter (≈ 725 px). */
const CHART_WIDTH = 690

/** Draws one chart as SVG; resolves when ECharts reports it finished. */
function draw(el: HTMLElement, option: ChartOption): Promise<EChartsType> {
  el.style.width = `${CHART_WIDTH}px`
  el.style.height = `${CHART_HEIGHT}px`
  const chart = init(el, null, { renderer: 'svg', width: CHART_WIDTH, height: CHART_HEIGHT })
  return new Promise((resolve) => {
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      resolve(chart)
    }
    chart.on('finished', finish)
    chart.setOption(option)
    // 'finished' is emitted after the first render; never wait forever for it.
    setTimeout(finish, 3000)
  })
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search)
  const size: PageSize = params.get('pageSize') === 'Letter' ? 'Letter' : 'A4'
  setPageSize(size)
  const root = document.getElementById('report') as HTMLElement
  const runId = params.get('run') ?? ''
  try {
    if (!runId) throw new Error('no run: open report.html?run=RUN_ID')
    const api = window.kvmbench ?? httpClient(location.origin, { token: pageToken() })
    const baseline = params.get('baseline') ?? undefined
    const snapshot: ReportSnapshot = await api.reports.snapshot({ runId, ...(baseline ? { baseline } : {}) })
    document.title = `kvmbench report — ${snapshot.title}`
    renderReport(root, snapshot)
    const options: Record<string, (s: ReportSnapshot) => ChartOption> = { 'ei-histogram': eiHistogramOption, throughput: throughputChartOption, latency: latencyChartOption }
    await Promise.all([...root.querySelectorAll<HTMLElement>('.chart')].map((el) => {
      const make = options[el.dataset.chart ?? '']
      return make ? draw(el, make(snapshot)) : Promise.resolve(undefined)
    }))
    await document.fonts.ready
    root.removeAttribute('aria-busy')
    document.documentElement.dataset.reportReady = 'true'
  } catch (e) {
    const message = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e)
    root.replaceChildren(h('h1', {}, 'The report could not be made'), h('p', { class: 'error' }, message))
    root.removeAttribute('aria-busy')
    document.documentElement.dataset.reportError = message
  }
}

void main()
