// Fuzzing every reader of outside input: the kernel cpulist parser, the profile loader, and every importer
// in core/formats (lscpu, kernel command line, libvirt XML, perf kvm stat output). Random, truncated,
// mutated, binary, huge (several MB) and hostile input (XML entity expansion, external entities, deep
// nesting, a 10^6-CPU range): each call returns a value or a clear error — never throws. Nothing here
// measures time: work is bounded by input size instead (each reader refuses text over its documented
// limit before parsing), and memory by the size of what comes back (errors are capped and quote at most
// a few hundred characters of the input), asserted below.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_CMDLINE_CHARS, importCmdline } from '../../core/formats/cmdline.ts'
import type { FormatResult } from '../../core/formats/format-result.ts'
import { importLibvirt } from '../../core/formats/libvirt.ts'
import { MAX_LSCPU_CHARS, importLscpu } from '../../core/formats/lscpu.ts'
import { MAX_PERF_CHARS, importPerfKvmStat } from '../../core/formats/perf-kvm-stat.ts'
import { DEFAULT_XML_LIMITS, parseXml } from '../../core/formats/xml.ts'
import { loadProfile } from '../../core/profile/load-profile.ts'
import { runConfiguration } from '../../core/index.ts'
import { MAX_CPULIST_CHARS, MAX_NR_CPUS, parseCpuList } from '../../core/topology/cpulist.ts'

const RUNS = Number(process.env.KVMBENCH_FUZZ_RUNS ?? 40)
const MB = 1024 * 1024
const root = join(import.meta.dirname, '../..')

// Valid inputs to truncate and mutate.
const LSCPU = ['# CPU,Core,Socket,Node,,L1d,L1i,L2,L3', ...Array.from({ length: 16 }, (_, cpu) => `${cpu},${cpu % 8},${Math.floor((cpu % 8) / 4)},0,,${cpu % 8},${cpu % 8},${cpu % 8},0`)].join('\n') + '\n'
const LSCPU_E = 'CPU NODE SOCKET CORE L1d:L1i:L2:L3 ONLINE\n  0    0      0    0 0:0:0:0          yes\n  1    0      0    1 1:1:1:0          yes\n  2    -      -    - -                no\n'
const CMDLINE = 'BOOT_IMAGE=/vmlinuz-6.8.0 root=UUID=1234 ro quiet isolcpus=managed_irq,domain,2-15 nohz_full=2-15 rcu_nocbs=2-15 irqaffinity=0-1 kvm.halt_poll_ns=0 kvm_intel.ple_gap=0 idle=poll "console=ttyS0,115200"'
const LIBVIRT = `<domain type='kvm'>
  <name>vm1</name>
  <vcpu placement='static'>4</vcpu>
  <cputune>
    <vcpupin vcpu='0' cpuset='2'/><vcpupin vcpu='1' cpuset='3'/><vcpupin vcpu='2' cpuset='4-5'/><vcpupin vcpu='3' cpuset='6,^7'/>
    <emulatorpin cpuset='0-1'/>
  </cputune>
  <cpu mode='host-passthrough'><topology sockets='1' dies='1' cores='4' threads='1'/><feature policy='require' name='invtsc'/></cpu>
  <features><acpi/><apic/><kvm><hint-dedicated state='on'/><poll-control state='on'/></kvm><pvspinlock state='off'/></features>
  <!-- a comment --><description><![CDATA[ <not> a tag ]]></description>
</domain>`
const PERF = readFileSync(join(root, 'test/formats/fixtures/wanpeng-li-0c5f81dad46c.txt'), 'utf8')
const PERF2 = readFileSync(join(root, 'test/formats/fixtures/leo-yan-perf-kvm-v1-00-14.txt'), 'utf8')
const PROFILE = JSON.parse(readFileSync(join(root, 'examples/posted-timer.json'), 'utf8')) as Record<string, unknown>

/** Every importer, as one text → FormatResult function, with its documented size limit. */
const IMPORTERS: { name: string; max: number; seeds: string[]; run: (t: string) => FormatResult<unknown> }[] = [
  { name: 'lscpu', max: MAX_LSCPU_CHARS, seeds: [LSCPU, LSCPU_E], run: (t) => importLscpu(t) },
  { name: 'kernel command line', max: MAX_CMDLINE_CHARS, seeds: [CMDLINE], run: (t) => importCmdline(t, { nrCpus: 16 }) },
  { name: 'libvirt XML', max: DEFAULT_XML_LIMITS.maxChars, seeds: [LIBVIRT], run: (t) => importLibvirt(t, { nrCpus: 16 }) },
  { name: 'perf kvm stat', max: MAX_PERF_CHARS, seeds: [PERF, PERF2], run: (t) => importPerfKvmStat(t) },
]

/** A clear outcome: a value with string warnings, or at least one FieldError whose message says what is
 *  wrong. The result stays small whatever the input: memory is bounded by the result, not the input. */
function expectClear(r: FormatResult<unknown>, input: string, what: string): void {
  expect(typeof r, what).toBe('object')
  if (r.ok) {
    expect(Array.isArray(r.warnings), what).toBe(true)
    for (const w of r.warnings) expect(typeof w, what).toBe('string')
  } else {
    expect(r.errors.length, what).toBeGreaterThan(0)
    for (const e of r.errors) {
      expect(typeof e.message, what).toBe('string')
      expect(e.message.length, what).toBeGreaterThan(10)
      expect(e.message, what).toContain(' — ') // what is wrong — how to fix it
      expect(e.value.length, what).toBeLessThanOrEqual(256)
    }
  }
  const size = JSON.stringify(r).length
  expect(size, `${what}: result of ${size} characters for ${input.length} characters of input`).toBeLessThanOrEqual(2 * input.length + 256 * 1024)
}

const binaryText = fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b).toString('utf8'))
const latin1Text = fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b).toString('latin1'))
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 2000 }), fc.string({ maxLength: 2000 }), binaryText, latin1Text)

/** A seed cut at a random point, or with random text spliced in at a random point. */
function mutated(seeds: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.nat(), fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('\0', '\n', ',', '-', '<', '>', '&', '"', "'", '=', '%', '^', 'N', '4294967296', '-1', ' ', '\r\n', '<!DOCTYPE x [<!ENTITY a "b">]>', '&#0;', '&#x110000;', ']]>'))).map(([s, a, b, insert]) => {
    const i = a % (s.length + 1)
    const j = Math.min(s.length, i + (b % 40))
    return b % 3 === 0 ? s.slice(0, i) : `${s.slice(0, i)}${insert}${s.slice(j)}`
  })
}

describe('importers under random, truncated and mutated input', () => {
  for (const imp of IMPORTERS) {
    it(`${imp.name}: a value or a clear error, never an exception`, () => {
      for (const seed of imp.seeds) expectClear(imp.run(seed), seed, `${imp.name} seed`)
      fc.assert(fc.property(fc.oneof(anyText, mutated(imp.seeds)), (t) => { expectClear(imp.run(t), t, `${imp.name} ${JSON.stringify(t.slice(0, 80))}`) }), { numRuns: RUNS * 10 })
    })
  }
})

describe('huge and binary input', () => {
  for (const imp of IMPORTERS) {
    it(`${imp.name}: over its limit (${imp.max} characters) refused before parsing; at the limit parsed`, () => {
      // Several MB, over the limit: refused by the size guard, which looks at nothing but the length.
      const over = imp.seeds[0]!.repeat(Math.ceil((imp.max + MB) / imp.seeds[0]!.length))
      const r = imp.run(over)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.errors[0]!.message).toMatch(/more than the .* this reader accepts/)
      // Just under the limit: a real parse of the whole text, with a bounded result.
      const under = imp.seeds[0]!.repeat(Math.floor((imp.max - 1) / imp.seeds[0]!.length))
      expectClear(imp.run(under), under, `${imp.name} at the limit`)
      // Binary: a NUL, a control byte, invalid UTF-8.
      for (const bin of ['\0'.repeat(1000), `${imp.seeds[0]}\u0001\u0002`, Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28]).toString('utf8'), Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 131) % 256)).toString('utf8')]) {
        const b = imp.run(bin)
        expectClear(b, bin, `${imp.name} binary`)
        expect(b.ok).toBe(false)
        if (!b.ok) expect(b.errors[0]!.message).toMatch(/binary|not UTF-8|control byte/)
      }
      // Not text at all (a caller bug or a JSON field of the wrong type).
      for (const v of [undefined, null, 42, {}, [], Buffer.from('x')]) {
        const n = imp.run(v as unknown as string)
        expect(n.ok).toBe(false)
      }
    })
  }
})

describe('hostile XML (libvirt import and the XML reader)', () => {
  const refused = (xml: string, pattern: RegExp): void => {
    const r = importLibvirt(xml)
    expectClear(r, xml, xml.slice(0, 60))
    expect(r.ok, xml.slice(0, 80)).toBe(false)
    if (!r.ok) expect(r.errors[0]!.message).toMatch(pattern)
  }
  it('refuses entity expansion, external entities and DTDs without expanding anything', () => {
    const lol = (n: number): string => {
      const defs = ['<!ENTITY lol0 "lol">', ...Array.from({ length: n }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)]
      return `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${defs.join('\n')}\n]>\n<domain><name>&lol${n};</name></domain>`
    }
    refused(lol(9), /DOCTYPE/)
    refused(lol(30), /DOCTYPE/)
    refused('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><domain><name>&xxe;</name></domain>', /DOCTYPE/)
    refused('<!DOCTYPE d SYSTEM "http://evil.example/d.dtd"><domain/>', /DOCTYPE/)
    refused('<domain><name>&xxe;</name></domain>', /not defined/)
    refused('<domain><name>&#0;</name></domain>', /./)
    refused('<domain><name>&#x110000;</name></domain>', /./)
    refused('<domain><name>&#99999999999999999999;</name></domain>', /./)
    // Many predefined entities: decoded once each, linearly (no expansion), and the odd name is reported.
    const many = `<domain>${'&amp;'.repeat(10)}<name>${'&lt;'.repeat(200_000)}</name></domain>`
    expectClear(importLibvirt(many), many, 'many predefined entities')
  })
  it('refuses deep nesting, too many elements or attributes, and unterminated constructs', () => {
    refused('<a>'.repeat(100_000), /nested more than 64 deep/)
    refused(`<domain>${'<a/>'.repeat(DEFAULT_XML_LIMITS.maxElements + 1)}</domain>`, /more than 100000 elements/)
    // At the element limit, one per line: parsed in linear work (line:column is tracked incrementally).
    const wide = `<domain>\n${'<a/>\n'.repeat(DEFAULT_XML_LIMITS.maxElements - 10)}</domain>`
    expectClear(importLibvirt(wide), wide, 'element limit')
    refused(`<domain ${Array.from({ length: 100 }, (_, i) => `a${i}='x'`).join(' ')}/>`, /./)
    refused(`<domain a='${'x'.repeat(900_000)}`, /./)
    for (const cut of ['<domain><![CDATA[', '<domain><!-- ', '<domain><?pi ', '<domain a="', '<domain', '<', '<domain></domin>', '<domain/><domain/>', '']) refused(cut, /./)
  })
  it('parseXml: random text is a tree or a clear error', () => {
    fc.assert(fc.property(fc.oneof(anyText, mutated([LIBVIRT])), (t) => {
      const r = parseXml(t)
      if (!r.ok) expect(r.error.message).toContain(' — ')
    }), { numRuns: RUNS * 10 })
  })
})

describe('the cpulist parser', () => {
  it('a 10^6-CPU range, 32-bit overflows, and huge lists are clear errors; the bitmap never exceeds the host', () => {
    for (const [text, pattern] of [
      ['0-999999', /CPU 999999 is beyond this host/],
      ['0-1000000000', /beyond this host/],
      ['0-99999999999999999999', /too large/],
      ['all:1/0', /group size is 0/],
      ['0-7:9/4', /cannot exceed the group size/],
      ['7-0', /after end/],
      [`0,${'1,'.repeat(40_000)}`, /longer than/],
      ['0-3\n4', /line break/],
    ] as const) {
      const r = parseCpuList(text, { nrCpus: 64 })
      expect(r.ok, text.slice(0, 40)).toBe(false)
      if (!r.ok) expect(r.error.message, text.slice(0, 40)).toMatch(pattern)
    }
    // A 10^6-CPU host is refused before any bitmap is allocated.
    const big = parseCpuList('0-999999', { nrCpus: 1_000_000 })
    expect(big.ok).toBe(false)
    if (!big.ok) expect(big.error.message).toMatch(new RegExp(`1 to ${MAX_NR_CPUS}`))
    // The largest host: a full range costs one bitmap of nrCpus bytes.
    const all = parseCpuList('0-N', { nrCpus: MAX_NR_CPUS })
    expect(all.ok && all.cpus.length).toBe(MAX_NR_CPUS)
  })
  it('random text: a bitmap of exactly nrCpus entries or a clear error, never an exception', () => {
    const cpulistish = fc.array(fc.oneof(fc.nat({ max: 10_000 }).map(String), fc.constantFrom('-', ',', ':', '/', ' ', 'N', 'n', 'all', 'ALL', '^', '\t', '\n', '4294967295', '4294967296', '')), { maxLength: 30 }).map((p) => p.join(''))
    fc.assert(fc.property(fc.oneof(cpulistish, anyText), fc.integer({ min: -5, max: MAX_NR_CPUS + 5 }), fc.boolean(), (text, nrCpus, allowExclusion) => {
      const r = parseCpuList(text, { nrCpus, allowExclusion })
      if (r.ok) {
        expect(r.cpus.length).toBe(nrCpus)
        expect(r.cpus.every((b) => b === 0 || b === 1)).toBe(true)
      } else {
        expect(r.error.message).toContain(' — ')
        expect(r.error.value.length).toBeLessThanOrEqual(256)
      }
    }), { numRuns: RUNS * 25 })
    const huge = '0-1,'.repeat(MAX_CPULIST_CHARS)
    expect(parseCpuList(huge, { nrCpus: 8 }).ok).toBe(false)
  })
})

describe('the profile loader', () => {
  const clearLoad = (v: unknown, what: string): void => {
    const r = loadProfile(v)
    if (!r.ok) {
      expect(r.issues.length, what).toBeGreaterThan(0)
      for (const i of r.issues) {
        expect(typeof i.path, what).toBe('string')
        expect(i.message.length, what).toBeGreaterThan(0)
        expect(i.value.length, what).toBeLessThanOrEqual(64)
      }
    }
  }
  it('random JSON, mutated example profiles and hostile keys: a profile or issues, never an exception', () => {
    const mutatedProfile = fc.tuple(fc.constantFrom('host', 'vms', 'run', 'configurations', 'name', 'schemaVersion', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 3 })).map(([k, v]) => {
      // a replacer function: generated strings may hold `$&` or `$'`, which a replacement string would expand
      const text = JSON.stringify(PROFILE).replace('{', () => `{${JSON.stringify(k)}:${JSON.stringify(v)},`)
      return JSON.parse(text) as unknown
    })
    fc.assert(fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.anything({ maxDepth: 3 }), mutatedProfile), (v) => { clearLoad(v, JSON.stringify(v)?.slice(0, 80) ?? String(v)) }), { numRuns: RUNS * 10 })
    expect(loadProfile(PROFILE).ok).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
  it('deep nesting, huge strings and huge arrays: issues, never a stack overflow', () => {
    const deepArray = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown
    const deepObject = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`) as unknown
    for (const [field, v] of [['vms', deepArray], ['vms', [deepArray]], ['host', deepObject], ['name', deepArray], ['run', deepObject], ['configurations', deepArray]] as const) {
      clearLoad({ ...PROFILE, [field]: v }, `deep ${field}`)
      expect(loadProfile({ ...PROFILE, [field]: v }).ok).toBe(false)
    }
    clearLoad(deepArray, 'deep array')
    clearLoad({ ...PROFILE, name: 'x'.repeat(5 * MB) }, 'huge name')
    clearLoad({ ...PROFILE, vms: Array.from({ length: 100_000 }, () => ({})) }, 'huge vms')
    const cyclic: Record<string, unknown> = { ...PROFILE }
    cyclic.host = cyclic
    clearLoad(cyclic, 'cyclic')
    // A 10^6-CPU host is refused by the loader.
    const host = (PROFILE as { host: Record<string, unknown> }).host
    const hugeHost = { ...PROFILE, host: { ...host, topology: { sockets: 1000, coresPerSocket: 1000, threadsPerCore: 1 } } }
    clearLoad(hugeHost, 'huge host')
    expect(loadProfile(hugeHost).ok).toBe(false)
  })
  it('a 10^6-CPU range in a cpulist field: checked against the configuration\'s host when it runs, with a clear message', () => {
    // The loader checks the cpulist fields' type and length; each configuration's cpulists are parsed against
    // its resolved host (overrides can change the topology) by the run setup, which a worker reports as the
    // configuration's failure.
    const host = (PROFILE as { host: Record<string, unknown> }).host
    const r = loadProfile({ ...PROFILE, host: { ...host, kernel: { cmdline: { nohzFull: '0-999999' } } } })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(() => runConfiguration(r.profile, r.profile.configurations[0]!.name, { durationSec: 0.001 })).toThrow(/host\.kernel\.cmdline\.nohzFull: "0-999999" CPU 999999 is beyond this host — this host has 32 CPUs/)
    expect(loadProfile({ ...PROFILE, host: { ...host, kernel: { cmdline: { nohzFull: '0-1,'.repeat(20_000) } } } }).ok).toBe(false)
  })
})
