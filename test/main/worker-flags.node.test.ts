// The V8 flags a worker process starts with (main/worker/launcher.ts), as each launcher hands them over.
import { expect, it } from 'vitest'
import { SINGLE_THREADED_JIT_FLAG, WORKER_HEAP_MB, utilityProcessExecArgv, workerExecArgv, workerV8Flags } from '../../main/worker/launcher.ts'

it('compiles on the worker\'s own thread only when the pool has a worker on every core', () => {
  expect(workerV8Flags(8, 8)).toEqual([SINGLE_THREADED_JIT_FLAG])
  expect(workerV8Flags(12, 8)).toEqual([SINGLE_THREADED_JIT_FLAG])
  expect(workerV8Flags(2, 8)).toEqual([])
  expect(workerV8Flags(1, 1)).toEqual([SINGLE_THREADED_JIT_FLAG])
})

it('gives a child process Node flags and an Electron utility process one --js-flags switch with the same V8 flags', () => {
  expect(workerExecArgv([SINGLE_THREADED_JIT_FLAG])).toEqual([`--max-old-space-size=${WORKER_HEAP_MB}`, '--no-concurrent-recompilation'])
  // a utility process reads V8 flags only from Chromium's --js-flags switch: a bare --max-old-space-size would be ignored
  expect(utilityProcessExecArgv([SINGLE_THREADED_JIT_FLAG], 512)).toEqual(['--js-flags=--max-old-space-size=512 --no-concurrent-recompilation'])
  expect(utilityProcessExecArgv()).toEqual([`--js-flags=--max-old-space-size=${WORKER_HEAP_MB}`])
})
