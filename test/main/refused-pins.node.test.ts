// profiles.validate and runs.start refuse what a run refuses (core/topology/diagnostics.ts errors), with the
// field and the fix; warnings do not block.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ApiFailure } from '../../core/api/protocol.ts'
import { ConfProfileRepository } from '../../main/services/conf-profile-repository.ts'
import { ProfileService } from '../../main/services/profile-service.ts'
import { RunService } from '../../main/services/run-service.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const tmp = mkdtempSync(join(tmpdir(), 'kvmbench-refused-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

function withVcpupin(pins: string[]): Record<string, unknown> {
  return { ...tinyProfile(['base']), vms: [{ name: 'vm0', pinning: { vcpupin: pins } }] }
}

describe('refused pins', () => {
  it('profiles.validate names a vCPU pinned to a CPU the host lacks', () => {
    const svc = new ProfileService(new ConfProfileRepository(join(tmp, 'a')))
    const r = svc.validate({ profile: withVcpupin(['4095']) })
    expect(r.ok).toBe(false)
    expect(r.issues[0]?.path).toBe('vms[0].pinning.vcpupin[0]')
    expect(svc.validate({ profile: tinyProfile(['base']) })).toEqual({ ok: true, issues: [] })
  })

  it('runs.start refuses it before any worker starts', () => {
    // The pool is never reached: a refused start throws first.
    const runs = new RunService({ pool: undefined as never, resultsDir: join(tmp, 'results') })
    let err: unknown
    try { runs.start({ profile: withVcpupin(['4095']) }) } catch (e) { err = e }
    expect(err).toBeInstanceOf(ApiFailure)
    expect((err as ApiFailure).error.issues?.[0]?.path).toBe('vms[0].pinning.vcpupin[0]')
  })
})
