// Validation against published results (issue 14 item 10): case format, metric extraction, comparison, rendering.
export { CASE_SCHEMA_VERSION, MAX_SEEDS, SURVEY_SEEDS, TOPICS, METRIC_KINDS, caseSchema, parseCase, isRunnable, sortCases } from './case-schema.ts'
export type { ValidationCase, RunnableCase, Metric, Topic } from './case-schema.ts'
export { metricValue, metricLabel, formatMetricValue, histogramMean, MetricError } from './metric.ts'
export { evaluateCase, caseRow, direction, seedDirection, seedSummary, seedsByRule, surveySpread, changePct, NO_CHANGE_BELOW_PCT, MAGNITUDE_FACTOR } from './outcome.ts'
export type { CaseOutcome, CaseRow, Direction, SeedRun, Verdict } from './outcome.ts'
export { formatValidationText, formatPct, seedRangeText } from './render-text.ts'
export { renderValidationDoc, parseRecordedOutcomes, RecordsError } from './render-doc.ts'
