// The model's workload parameters (model-inputs.ts WorkloadSpec) from the profile's workload: each variant's defaults
// filled in, and the values that depend on the VM resolved (threads per vCPU, targets of a broadcast).
import { redisSchema, forkJoinSchema, pingPongSchema, timerSchema, hackbenchSchema, vmexitSchema, tscdeadlineLatencySchema, ipiBroadcastSchema, ebizzySchema } from '../profile/profile-schema.ts'
import type { Workload } from '../profile/profile-schema.ts'
import type { WorkloadSpec } from './model-inputs.ts'

/** The model's workload parameters from the profile's (defaults of the variant filled in: an override may switch
 *  the kind and leave the other variant's fields behind). */
export function workloadSpec(raw: Workload, vcpus: number): WorkloadSpec {
  switch (raw.kind) {
    case 'fork-join': {
      const w = { ...forkJoinSchema.defaultValue, ...raw }
      return { kind: 'fork-join', threads: w.threads > 0 ? w.threads : vcpus, workNs: w.workNs, workSigma: w.workSigma, spinNs: w.spinNs }
    }
    case 'ping-pong': {
      const w = { ...pingPongSchema.defaultValue, ...raw }
      return { kind: 'ping-pong', transport: w.transport, processes: w.mode === 'process', loops: w.loops, streams: w.streams, serviceNs: w.serviceNs, serviceSigma: w.serviceSigma, networkRttNs: w.networkRttNs, softirqNs: w.softirqNs }
    }
    case 'timer': {
      const w = { ...timerSchema.defaultValue, ...raw }
      // cyclictest -t -a: one thread per CPU at most here (each pinned to its own vCPU)
      return { kind: 'timer', threads: w.threads > 0 ? Math.min(w.threads, vcpus) : vcpus, intervalNs: w.intervalUs * 1000, distanceNs: w.distanceUs * 1000, priority: w.priority }
    }
    case 'hackbench': {
      const w = { ...hackbenchSchema.defaultValue, ...raw }
      return { kind: 'hackbench', groups: w.groups, fds: w.fds, loops: w.loops, messageBytes: w.messageBytes, pipe: w.pipe, processes: w.mode === 'process' }
    }
    case 'ebizzy': {
      const w = { ...ebizzySchema.defaultValue, ...raw }
      // ebizzy -t: its default is twice the CPUs it sees
      return { kind: 'ebizzy', threads: w.threads > 0 ? w.threads : 2 * vcpus, chunks: w.chunks, chunkBytes: w.chunkBytes, memory: w.memory, linearSearch: w.linearSearch }
    }
    case 'vmexit': {
      const w = { ...vmexitSchema.defaultValue, ...raw }
      return { kind: 'vmexit', test: w.test, target: w.target, deadlineCycles: w.deadlineCycles }
    }
    case 'tscdeadline-latency': {
      const w = { ...tscdeadlineLatencySchema.defaultValue, ...raw }
      return { kind: 'tscdeadline-latency', deltaCycles: w.deltaCycles, wait: w.wait }
    }
    case 'ipi-broadcast': {
      const w = { ...ipiBroadcastSchema.defaultValue, ...raw }
      const others = Math.max(1, vcpus - 1)
      return { kind: 'ipi-broadcast', targets: w.targets > 0 ? Math.min(w.targets, others) : others, loops: w.loops }
    }
    case 'idle':
      return { kind: 'idle' }
  }
  const w = { ...redisSchema.defaultValue, ...raw }
  return {
    kind: 'redis',
    closedLoop: w.clients === 'closed',
    outstanding: w.connections * w.pipeline,
    ratePerSec: w.ratePerSec,
    serverThreads: w.serverThreads,
    serviceNs: w.serviceNs,
    serviceSigma: w.serviceSigma,
    networkRttNs: w.networkRttNs,
    rxBatch: w.rxBatch,
    softirqNs: w.softirqNs,
    txKickEvery: w.txKickEvery,
    guestTimersPerRequest: w.guestTimersPerRequest,
    guestTimerDelayNs: w.guestTimerDelayNs,
  }
}
