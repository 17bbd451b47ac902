// A child process for store-kill.node.test.ts: saves profiles in a loop through the real conf repository
// (ConfProfileRepository, the browser host's and CLI's store; the desktop app's electron-store one is the
// same StoreProfileRepository) and prints "saved <id>" after each save has returned. The test kills it
// with SIGKILL at a random moment. Usage: node store-writer.ts DIR PREFIX
import { ConfProfileRepository } from '../../main/services/conf-profile-repository.ts'
import { ProfileService } from '../../main/services/profile-service.ts'
import { tinyProfile } from '../helpers/profiles.ts'

const [dir, prefix] = process.argv.slice(2)
if (!dir || !prefix) throw new Error('usage: store-writer.ts DIR PREFIX')
const profiles = new ProfileService(new ConfProfileRepository(dir))
for (let i = 0; ; i++) {
  // Bigger and bigger descriptions, so the file grows and a write takes a while.
  const p = profiles.save({ id: undefined, name: `${prefix} ${i}`, description: 'x'.repeat(200 * (i % 50)), tags: [prefix], profile: tinyProfile(['base', 'tuned']) })
  process.stdout.write(`saved ${p.id}\n`)
}
