// The CLI's commands and options: one table drives parsing and every --help text.

export interface OptionSpec {
  name: string
  type: 'string' | 'boolean'
  /** Placeholder for the value in help, e.g. NAME. */
  value?: string
  multiple?: boolean
  short?: string
  help: string
  /** A path the command writes: checked before anything runs (the folder exists, the path is not a folder),
   *  so a long run never ends in a write error. `-` (stdout) is let through. */
  writes?: 'file' | 'dir'
}

export interface CommandSpec {
  name: string
  usage: string
  summary: string
  description: string
  options: OptionSpec[]
  /** Positional arguments: [min, max]. */
  positionals: [number, number]
  examples: string[]
}

const HELP: OptionSpec = { name: 'help', type: 'boolean', short: 'h', help: 'show this help' }
const SEED: OptionSpec = { name: 'seed', type: 'string', value: 'N', help: "PRNG seed (0 … 4294967295); default: the profile's run.seed. The same profile and seed give identical results" }
const DURATION: OptionSpec = { name: 'duration', type: 'string', value: 'SECONDS', help: "virtual time to simulate after warm-up (0.001 … 3600); default: the profile's run.durationSec" }
const JSON_OUT: OptionSpec = { name: 'json', type: 'string', value: 'FILE', writes: 'file', help: 'also write the results as JSON (RunResultJson, schemaVersion 2) to FILE; "-" writes it to stdout instead of the text report' }
const PERF_VERSION: OptionSpec = { name: 'perf-version', type: 'string', value: 'V', help: 'print the exit tables in the layout of this perf version, e.g. 5.3, 3.7 or later (perf kvm stat first shipped in 3.7; no Min Time/Max Time columns before 3.12, whole-µs Min/Max 3.12–3.17; 20-character name column before v6.4, 40 from v6.4); default: current perf' }
const WORKERS: OptionSpec = { name: 'workers', type: 'string', value: 'N', help: 'worker processes to run configurations in parallel (default: one per core)' }

export const COMMANDS: CommandSpec[] = [
  {
    name: 'run',
    usage: 'kvmbench run PROFILE [--config NAME]... [--seed N] [--duration SECONDS] [--json FILE] [--perf-version V] [--workers N]',
    summary: 'simulate configurations of a profile and print a report for each',
    description: 'Loads PROFILE (a JSON bench profile), runs each selected configuration in its own worker process and prints, per configuration, the report: VM exits as `perf kvm stat` shows them, workload throughput and latency, where CPU time went, and the kernel decisions behind them.',
    options: [
      { name: 'config', type: 'string', value: 'NAME', multiple: true, short: 'c', help: 'run only this configuration (repeat for several); default: all' },
      SEED, DURATION, JSON_OUT, PERF_VERSION, WORKERS, HELP,
    ],
    positionals: [1, 1],
    examples: ['kvmbench run examples/posted-timer.json --config base', 'kvmbench run my-host.json --seed 7 --duration 0.5 --json results.json'],
  },
  {
    name: 'compare',
    usage: 'kvmbench compare PROFILE [--seed N] [--duration SECONDS] [--json FILE] [--perf-version V] [--workers N]',
    summary: 'simulate every configuration of a profile and print them side by side',
    description: 'Runs all configurations of PROFILE in parallel worker processes with the same seed, prints each configuration\'s report as `run` does, then one summary table with deltas against the first configuration.',
    options: [SEED, DURATION, JSON_OUT, PERF_VERSION, WORKERS, HELP],
    positionals: [1, 1],
    examples: ['kvmbench compare examples/posted-timer.json', 'kvmbench compare examples/posted-timer.json --perf-version 5.3', 'kvmbench compare examples/posted-timer.json --seed 3 --json compare.json'],
  },
  {
    name: 'report',
    usage: 'kvmbench report PROFILE --pdf FILE [--page-size A4|Letter] [--snapshot FILE] [--seed N] [--duration SECONDS] [--workers N]',
    summary: 'simulate every configuration of a profile and print a PDF report of the comparison',
    description: 'Runs all configurations of PROFILE in parallel worker processes (as compare does) and prints the comparison report — host and configurations, their differences, kernel command lines and libvirt XML, perf kvm stat tables, the external-interrupt histogram, throughput and latency charts, the kernel decisions and a summary of the deltas — to a PDF with headless Chromium. Needs the built renderer (npm run build) and Chromium (KVMBENCH_CHROMIUM or /usr/bin/chromium).',
    options: [
      { name: 'pdf', type: 'string', value: 'FILE', writes: 'file', help: 'the PDF file to write (required)' },
      { name: 'page-size', type: 'string', value: 'SIZE', help: 'A4 (default) or Letter' },
      { name: 'snapshot', type: 'string', value: 'FILE', writes: 'file', help: 'also write the report snapshot (the data the PDF shows) as JSON to FILE' },
      SEED, DURATION, WORKERS, HELP,
    ],
    positionals: [1, 1],
    examples: ['kvmbench report examples/posted-timer.json --pdf posted-timer.pdf', 'kvmbench report my-host.json --pdf report.pdf --page-size Letter --duration 0.2'],
  },
  {
    name: 'import',
    usage: 'kvmbench import KIND FILE [--json OUT]',
    summary: 'read lscpu, /proc/cmdline, libvirt XML or perf kvm stat output',
    description: 'Reads FILE ("-" for stdin) of KIND: lscpu (`lscpu -p` or `lscpu -e` output → host.topology), cmdline (/proc/cmdline → host.kernel.cmdline and KVM module parameters), libvirt (domain XML, one or several domains → one VM each: vcpus, pinning, topology, KVM and CPU features, PIT policy, network path) or perf (`perf kvm stat report --stdio` / `live` output → exit tables). Prints the profile fragment as JSON, or for perf the tables back in perf\'s format. Tokens and elements the bench does not model are reported on stderr.',
    options: [
      { name: 'json', type: 'string', value: 'OUT', writes: 'file', help: 'also write the result as JSON to OUT ("-": print the JSON instead)' },
      HELP,
    ],
    positionals: [2, 2],
    examples: ['lscpu -p | kvmbench import lscpu -', 'kvmbench import cmdline /proc/cmdline', 'virsh dumpxml vm1 | kvmbench import libvirt -', 'kvmbench import perf report.txt --json tables.json'],
  },
  {
    name: 'export',
    usage: 'kvmbench export KIND PROFILE [--config NAME] [--vm NAME] [--seed N] [--duration SECONDS]',
    summary: 'write a configuration as a kernel command line, tuned, libvirt, QEMU, modprobe, guest command line, JSON or CSV',
    description: 'Writes one configuration of PROFILE (default: the first) as KIND: cmdline (kernel command line), tuned-cpu-partitioning / tuned-realtime-virtual-host (tuned variables file), libvirt (a <domain> document), qemu (QEMU options), modprobe (/etc/modprobe.d/kvm.conf), guest-cmdline (the guest kernel command line of a VM), json, csv (runs the configuration and writes its results; csv: the exit table, per VM and for all VMs (vm *), times in whole ns, relStddevPct to 0.01, exitsPerSec to 0.1) or workload-csv (the workload\'s throughput, mean latency, percentiles and benchmark lines, with their 95 % CIs when replicated).',
    options: [
      { name: 'config', type: 'string', value: 'NAME', short: 'c', help: 'the configuration to export (default: the first)' },
      { name: 'vm', type: 'string', value: 'NAME', help: 'libvirt, qemu and guest-cmdline: the VM to write (default: the first)' },
      { ...SEED, help: `json, csv and workload-csv: ${SEED.help}` },
      { ...DURATION, help: `json, csv and workload-csv: ${DURATION.help}` },
      HELP,
    ],
    positionals: [2, 2],
    examples: ['kvmbench export cmdline examples/posted-timer.json --config posted-timer', 'kvmbench export libvirt examples/posted-timer.json > redis-vm.xml', 'kvmbench export csv examples/posted-timer.json --config sw-timer'],
  },
  {
    name: 'validate',
    usage: 'kvmbench validate [--case ID]... [--json FILE] [--write-doc] [--check] [--workers N]',
    summary: 'run the published-results validation table (examples/validation/)',
    description: 'Runs every case under examples/validation/cases/ — one published KVM result (commit, cover letter or paper) and the profile under examples/validation/profiles/ designed from its setup — under seeds 1 … N (the case\'s "seeds") and prints per case the source, the setup, the published figure, the model\'s figure (over several seeds: the mean change and the seed range), their ratio and whether the directions agree, then a summary table. docs/validation.md holds the same table; --write-doc regenerates it from this run. A case the model misses is a result, not an error: the exit status is 0 unless a run fails, or --check finds a direction that differs from docs/validation.md (1).',
    options: [
      { name: 'case', type: 'string', value: 'ID', multiple: true, help: 'run only this case (repeat for several); default: all' },
      { name: 'json', type: 'string', value: 'FILE', writes: 'file', help: 'also write the cases, outcomes and verdicts as JSON to FILE; "-" writes it to stdout instead of the table' },
      { name: 'write-doc', type: 'boolean', help: 'rewrite docs/validation.md (table, a paragraph per case, recorded outcomes) from this run; also runs every case under seeds 1 … 3 for the seed-spread survey' },
      { name: 'check', type: 'boolean', help: "exit 1 when a case's direction differs from what docs/validation.md records" },
      WORKERS, HELP,
    ],
    positionals: [0, 0],
    examples: ['kvmbench validate', 'npm run validate -- --write-doc', 'kvmbench validate --case posted-timer-exits --json validation.json'],
  },
  {
    name: 'init',
    usage: 'kvmbench init --from-this-machine [--vm N] [--out FILE [--force]] [--root DIR]',
    summary: 'start a profile from this machine: CPUs, caches, NUMA, kernel, cmdline, KVM parameters, running VMs',
    description: 'Reads the machine kvmbench runs on — CPU topology, caches and NUMA nodes (/sys/devices/system/cpu, /sys/devices/system/node), the CPU model (/proc/cpuinfo → the nearest cost preset, and why), the kernel release and CONFIG_HZ, /proc/cmdline, the kvm and kvm_intel/kvm_amd module parameters (/sys/module) and the running VMs\' pinning (libvirt\'s /run/libvirt/qemu and /etc/libvirt/qemu) — and prints it as a profile (JSON). What was read and what was not, with the reason, goes to stderr. CPU numbers are the bench\'s (first threads of all cores, socket by socket, then their siblings): cpulists of a machine numbered otherwise are translated.',
    options: [
      { name: 'from-this-machine', type: 'boolean', help: 'read this machine (required)' },
      { name: 'vm', type: 'string', value: 'N', help: 'add a starter VM of N vCPUs, pinned one per CPU to free isolated CPUs of one NUMA node (isolated by the command line, else all but the first core of each socket and its siblings), its emulator on that socket\'s housekeeping CPUs' },
      { name: 'out', type: 'string', value: 'FILE', writes: 'file', help: 'write the profile to FILE instead of stdout (an existing FILE is kept unless --force)' },
      { name: 'force', type: 'boolean', help: 'with --out: replace an existing FILE' },
      { name: 'root', type: 'string', value: 'DIR', help: 'read the machine\'s files under DIR instead of / (a copy of another machine\'s /sys, /proc, /boot, /etc and /run)' },
      HELP,
    ],
    positionals: [0, 0],
    examples: ['kvmbench init --from-this-machine > my-host.json', 'kvmbench init --from-this-machine --vm 4 --out my-host.json && kvmbench run my-host.json'],
  },
  {
    name: 'sweep',
    usage: 'kvmbench sweep SPEC [--out FILE.jsonl] [--resume] [--sample N] [--workers N] [--queue redis://HOST:PORT]',
    summary: 'run a grid (or a sample) of configurations and write one JSON line per point',
    description: 'Reads SPEC (a sweep spec, docs/sweep.md): a base profile, axes — profile paths with values or a range — crossed as a grid, the seeds and the metrics. Refuses bad axes, values and metrics before anything runs, naming the field. Runs every point on the local worker pool (or, with --queue, on `kvmbench worker` processes through BullMQ over Redis) and writes one JSON line per point: its key, values, seed and metrics.',
    options: [
      { name: 'out', type: 'string', value: 'FILE', writes: 'file', help: 'append the JSON lines to FILE (default: stdout)' },
      { name: 'resume', type: 'boolean', help: 'skip the points FILE already holds (keyed by a hash of the point’s profile and seed); needs --out' },
      { name: 'sample', type: 'string', value: 'N', help: 'run N points drawn from the grid instead of all of it (the spec’s sampleSeed picks them)' },
      WORKERS,
      { name: 'queue', type: 'string', value: 'URL', help: 'run the points on BullMQ workers through the Redis server at URL (redis://HOST:PORT) instead of locally' },
      HELP,
    ],
    positionals: [1, 1],
    examples: ['kvmbench sweep examples/sweeps/halt-poll.json --out halt-poll.jsonl', 'kvmbench sweep examples/sweeps/halt-poll.json --out halt-poll.jsonl --resume', 'kvmbench sweep my-sweep.json --queue redis://10.0.0.5:6379 --out fleet.jsonl'],
  },
  {
    name: 'advise',
    usage: 'kvmbench advise PROFILE --goal GOAL.json [--export-dir DIR [--force]] [--json FILE] [--workers N]',
    summary: 'search the knobs for the configuration that meets a goal, and say why it wins',
    description: 'Searches the knobs of GOAL (default: halt polling, HLT exits, the posted timer, the dedicated hint) from the starting configuration of PROFILE: the whole grid when it fits the goal\'s budget of runs, a coordinate search when it does not (it says which). Prints the configuration that meets the constraints with the best objective, its metrics with confidence intervals over the seeds, its margin over the runner-up, the kernel decisions that differ from the start, and its exports (kernel command line, tuned, libvirt, QEMU). Exits 1 when no point meets the constraints.',
    options: [
      { name: 'goal', type: 'string', value: 'FILE', help: 'the goal: constraints, objective, knobs, seeds, budget (docs/sweep.md; kvmbench schema --goal)' },
      { name: 'export-dir', type: 'string', value: 'DIR', writes: 'dir', help: 'write the pick\'s kernel command line, tuned profile, libvirt XML and QEMU command to DIR' },
      { name: 'json', type: 'string', value: 'FILE', writes: 'file', help: 'also write the advice as JSON (schemaVersion 1: the goal, the search mode, every point evaluated, the pick, the runner-up, the margin, the decisions that differ, the exports) to FILE; "-" writes it to stdout instead of the text' },
      { name: 'force', type: 'boolean', help: 'with --export-dir: replace files of those names already in DIR (without it, advise refuses before it runs)' },
      WORKERS, HELP,
    ],
    positionals: [1, 1],
    examples: ['kvmbench advise examples/posted-timer.json --goal examples/sweeps/posted-timer-goal.json', 'kvmbench advise my-host.json --goal goal.json --export-dir deploy/'],
  },
  {
    name: 'worker',
    usage: 'kvmbench worker --queue redis://HOST:PORT [--concurrency N] [--lock-ms MS]',
    summary: 'run sweep points from a Redis queue until stopped',
    description: 'Connects to the Redis server at URL and runs the sweep points that `kvmbench sweep --queue` enqueues, N at a time, each in its own simulation process. Start one on every machine that should help; stop it with Ctrl-C (it finishes its current points first). A worker killed mid-point loses nothing: after its lock expires another worker runs the point.',
    options: [
      { name: 'queue', type: 'string', value: 'URL', help: 'the Redis server, redis://HOST:PORT (required)' },
      { name: 'concurrency', type: 'string', value: 'N', help: 'points at a time (default: one per core)' },
      { name: 'lock-ms', type: 'string', value: 'MS', help: 'how long a point stays with a worker that stopped answering before another takes it (default 30000)' },
      HELP,
    ],
    positionals: [0, 0],
    examples: ['kvmbench worker --queue redis://10.0.0.5:6379', 'kvmbench worker --queue redis://127.0.0.1:6379 --concurrency 2'],
  },
  {
    name: 'schema',
    usage: 'kvmbench schema [--sweep | --goal]',
    summary: 'print the JSON Schema of bench profiles (or of sweep specs)',
    description: 'Prints the JSON Schema (draft 2020-12) of the profile format, with every field\'s description and default. Point your editor at it for completion and validation. With --sweep, the schema of sweep specs; with --goal, of the advisor\'s goals.',
    options: [{ name: 'sweep', type: 'boolean', help: 'the sweep spec schema instead' }, { name: 'goal', type: 'boolean', help: 'the advisor goal schema instead' }, HELP],
    positionals: [0, 0],
    examples: ['kvmbench schema > profile.schema.json'],
  },
  {
    name: 'examples',
    usage: 'kvmbench examples',
    summary: 'list the example profiles',
    description: 'Lists the profiles in examples/ with their titles and summaries.',
    options: [HELP],
    positionals: [0, 0],
    examples: ['kvmbench examples'],
  },
]

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name)
}

function optionLines(options: OptionSpec[]): string[] {
  const rows = options.map((o) => [`${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`, o.help] as const)
  const w = Math.max(...rows.map((r) => r[0].length))
  return rows.map(([l, h]) => `  ${l.padEnd(w)}  ${h}`)
}

export function commandHelp(c: CommandSpec): string {
  return [
    `Usage: ${c.usage}`, '', c.description, '', 'Options:', ...optionLines(c.options), '',
    'Examples:', ...c.examples.map((e) => `  ${e}`), '',
  ].join('\n')
}

export function mainHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: kvmbench COMMAND [OPTIONS]', '',
    'kvmbench simulates a host running dedicated (pinned) KVM guests — pCPUs, vCPUs, timers, interrupts',
    'and VM exits — so you can compare tuning choices before trying them on real hardware.', '',
    'Commands:', ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`), '',
    'Options:', '  -h, --help     show this help (kvmbench COMMAND --help: help for a command)', '  -V, --version  print the version', '',
    'Exit status: 0 success, 1 a configuration failed to run (advise: no point meets the goal; validate --check:',
    'a direction differs from docs/validation.md), 2 bad usage or an invalid profile, 130 interrupted (Ctrl-C).', '',
    'Start with: kvmbench compare examples/posted-timer.json', '',
  ].join('\n')
}
