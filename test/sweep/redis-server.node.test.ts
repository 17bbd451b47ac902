// startRedisServer() where redis-server is missing: a clear message, not an unhandled spawn error that ends the process.
import { afterEach, expect, it } from 'vitest'
import { startRedisServer } from '../../main/sweep/redis-server.ts'

const path = process.env.PATH
afterEach(() => { process.env.PATH = path })

it('says redis-server is not installed, and how to get it, when the binary is not on PATH', async () => {
  process.env.PATH = '/nonexistent'
  await expect(startRedisServer()).rejects.toThrow('redis-server is not installed (npm test installs it; or apt-get install redis-server)')
})
