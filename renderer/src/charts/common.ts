// Shared pieces of every chart option. Pure: no DOM, no echarts runtime (types only).
import type { ComposeOption } from 'echarts/core'
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts'
import type {
  DataZoomComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TitleComponentOption,
  ToolboxComponentOption,
  TooltipComponentOption,
} from 'echarts/components'

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TitleComponentOption
  | ToolboxComponentOption
  | TooltipComponentOption
  | DataZoomComponentOption
>

export interface ChartStyle {
  dark: boolean
}

/** Series colours that read on both backgrounds; configuration i always gets colour i. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']

export function colorOf(i: number): string {
  return PALETTE[i % PALETTE.length] as string
}

export function surface(style: ChartStyle): string {
  return style.dark ? '#1b1f27' : '#ffffff'
}

/** The parts every chart shares: transparent background, palette, PNG export, no animation. */
export function baseOption(title: string, fileName: string, style: ChartStyle): ChartOption {
  return {
    backgroundColor: 'transparent',
    color: PALETTE,
    animation: false,
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13, fontWeight: 600 } },
    toolbox: {
      right: 8,
      top: 0,
      feature: {
        saveAsImage: { type: 'png', name: fileName, title: 'Save as PNG', backgroundColor: surface(style), pixelRatio: 2 },
      },
    },
    legend: { top: 26, type: 'scroll' },
    grid: { left: 64, right: 24, top: 64, bottom: 56, containLabel: false },
  }
}

/** A file-name-safe slug. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9_.+-]+/g, '-').replace(/^-+|-+$/g, '') || 'chart'
}

/** Connected chart groups: charts of one kind shown side by side, one per configuration. */
export const CHART_GROUPS = { histograms: 'kvmbench-histograms', pcpu: 'kvmbench-pcpu' } as const
