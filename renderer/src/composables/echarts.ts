// Tree-shaken ECharts: only the charts and components kvmbench draws, and the canvas renderer; plus the
// chart groups whose members share tooltip, axis pointer and zoom (vue-echarts' `group` prop only
// tags an instance; `connect` makes the group live).
import { connect, use } from 'echarts/core'
import { BarChart, CustomChart, HeatmapChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, ParallelComponent, TitleComponent, ToolboxComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'
import { CHART_GROUPS } from '../charts/common.ts'

use([BarChart, LineChart, HeatmapChart, ScatterChart, ParallelChart, CustomChart, ParallelComponent, VisualMapComponent, GridComponent, LegendComponent, TitleComponent, ToolboxComponent, TooltipComponent, DataZoomComponent, CanvasRenderer])
for (const g of Object.values(CHART_GROUPS)) connect(g)
