// The Electron security gate's own logic (test/tools/electronegativity.ts): reading the accepted-findings
// table of docs/security.md and the SARIF report, and failing on what the table does not explain.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SECURITY_DOC, parseAcceptedFindings, parseSarif, unexplained } from '../tools/electronegativity.ts'

const sarif = JSON.stringify({ runs: [{ results: [
  { ruleId: 'CSP_GLOBAL_CHECK', message: { text: 'csp' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'renderer/index.html' }, region: { startLine: 5, startColumn: 1 } } }] },
  { ruleId: 'NODE_INTEGRATION_JS_CHECK', message: { text: 'node' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'main/index.js' }, region: { startLine: 12, startColumn: 3 } } }] },
] }] })

describe('electronegativity gate', () => {
  it('reads the accepted findings of docs/security.md', () => {
    const accepted = parseAcceptedFindings(readFileSync(SECURITY_DOC, 'utf8'))
    expect(accepted.length).toBeGreaterThan(0)
    expect(accepted).toContainEqual(expect.objectContaining({ check: 'CSP_GLOBAL_CHECK', file: 'renderer/index.html' }))
    for (const a of accepted) expect(a.reason.length, `${a.check} ${a.file} needs a reason`).toBeGreaterThan(10)
  })
  it('fails on a finding not in the table (another check, or the same check in another file)', () => {
    const accepted = parseAcceptedFindings(readFileSync(SECURITY_DOC, 'utf8'))
    const findings = parseSarif(sarif, 'out/')
    expect(findings.map((f) => `${f.file}:${f.line}`)).toEqual(['out/renderer/index.html:5', 'out/main/index.js:12'])
    expect(unexplained(findings, accepted).map((f) => f.check)).toEqual(['NODE_INTEGRATION_JS_CHECK'])
    expect(unexplained(parseSarif(sarif, 'elsewhere/'), accepted)).toHaveLength(2)
  })
})
