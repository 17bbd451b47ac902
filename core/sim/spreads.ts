// The spreads (lognormal sigma) of the model's times that come from the profile rather than the cost table — the
// profile gives their mean, these their shape. The values and their sources live in the cost tables
// (core/costs/cost-tables.ts SPREADS, core/costs/cost-sources.ts SPREAD_DOCS) and docs/model.md shows them; the model's
// parts read them here. test/core/spread-literals.node.test.ts keeps numeric spreads out of model code.
export { SPREADS } from '../costs/cost-tables.ts'
export type { SpreadName } from '../costs/cost-tables.ts'
