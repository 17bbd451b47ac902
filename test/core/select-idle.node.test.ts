import { describe, it, expect } from 'vitest'
import { selectIdleSibling, sharesLlc, scanLlcForIdle } from '../../core/guest/select-idle.ts'
import type { GuestTopology } from '../../core/guest/select-idle.ts'

const twoSock: GuestTopology = { sockets: 2, cores: 4, threads: 1 }
const flat: GuestTopology = { sockets: 8, cores: 1, threads: 1 }
const arr = (n: number, ones: number[]): Uint8Array => { const a = new Uint8Array(n); for (const i of ones) a[i] = 1; return a }

describe('select_task_rq_fair → select_idle_sibling (kernel/sched/fair.c, outline, all guest versions)', () => {
  it('LLC = guest socket (cpus_share_cache)', () => {
    expect(sharesLlc(0, 3, twoSock)).toBe(true)
    expect(sharesLlc(3, 4, twoSock)).toBe(false)
    expect(sharesLlc(0, 1, flat)).toBe(false)
  })
  it('wake_affine_idle: an available idle prev wins', () => {
    expect(selectIdleSibling(0, 2, twoSock, arr(8, [1, 2]), arr(8, []))).toBe(2)
  })
  it('a busy prev: the waker if it is available, else the first available idle vCPU after it in its LLC', () => {
    expect(selectIdleSibling(1, 2, twoSock, arr(8, [1]), arr(8, []))).toBe(1)
    expect(selectIdleSibling(1, 5, twoSock, arr(8, [0, 3, 6]), arr(8, []))).toBe(3)
    expect(scanLlcForIdle(3, twoSock, arr(8, [0, 6]), arr(8, []))).toBe(0) // wraps inside the LLC, never leaves it
  })
  it('available_idle_cpu with vcpu_is_preempted (host < 5.19 HLT): idle-but-preempted vCPUs are skipped, the task queues on the waker', () => {
    const idle = arr(8, [2, 3, 5])
    expect(selectIdleSibling(0, 1, twoSock, idle, arr(8, []))).toBe(2)
    expect(selectIdleSibling(0, 1, twoSock, idle, arr(8, [2, 3, 5]))).toBe(0)
  })
  it('48 sockets × 1 core: one vCPU per LLC, so the scan has nothing else to find', () => {
    expect(selectIdleSibling(0, 1, flat, arr(8, [3]), arr(8, []))).toBe(0)
  })
})
