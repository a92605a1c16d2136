import { randomUUID } from 'node:crypto'
import redis from '@adonisjs/redis/services/main'

/** How long a checked file waits for its confirmation. */
const PENDING_SECONDS = 3600

export type ImportKind = 'customers' | 'licenses'

type Pending = { kind: ImportKind; adminId: number | null; text: string }

const keyOf = (token: string) => `keyward:imports:pending:${token}`

/**
 * A file an admin checked (the preview) and may now import, kept in Redis
 * under a random token for an hour: the confirmation posts the token, not
 * the file again, and every web process can answer it. Taking it removes
 * it, so a double click imports once.
 */
export default class PendingImports {
  async store(kind: ImportKind, adminId: number | null, text: string) {
    const token = randomUUID()
    const pending: Pending = { kind, adminId, text }
    await redis.set(keyOf(token), JSON.stringify(pending), 'EX', PENDING_SECONDS)
    return token
  }

  /** The file checked under `token` by this admin for this kind, or null. */
  async take(kind: ImportKind, adminId: number | null, token: string) {
    const stored = await redis.getdel(keyOf(token))
    if (!stored) return null
    const pending = JSON.parse(stored) as Pending
    return pending.kind === kind && pending.adminId === adminId ? pending.text : null
  }
}
