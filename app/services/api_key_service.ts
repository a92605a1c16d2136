import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { preparedQuery } from '#support/prepared_query'
import { DateTime } from 'luxon'
import ApiKey from '#models/api_key'
import AuditTrail from '#services/audit_trail'
import ApiKeyCache, { type AuthenticatedApiKey } from '#services/api_key_cache'
import { announceRevocation } from '#services/api_key_revocations'
import type { Actor } from '#support/actor'
import { API_KEY_PATTERN, apiKeyHint, generateApiKey, hashApiKey } from '#support/license_keys'

/**
 * How often `last_used_at` is written: a busy key would otherwise cost one
 * UPDATE per request.
 */
const LAST_USED_RESOLUTION_SECONDS = 60

@inject()
export default class ApiKeyService {
  constructor(
    protected audit: AuditTrail,
    protected cache: ApiKeyCache
  ) {}

  /** The API key by id. @throws E_ROW_NOT_FOUND (a 404 page) when there is none. */
  find(id: number | string) {
    return ApiKey.findOrFail(id)
  }

  /**
   * Creates a key and returns it in clear, the only time it exists so.
   */
  async create(name: string, actor: Actor) {
    return db.transaction(async (trx) => {
      const plain = generateApiKey()
      const apiKey = await ApiKey.create(
        { name, keyHash: hashApiKey(plain), keyHint: apiKeyHint(plain) },
        { client: trx }
      )
      await this.audit.record(trx, actor, {
        action: 'api_key.created',
        subjectType: 'api_key',
        subjectId: apiKey.id,
        after: { name, hint: apiKey.keyHint },
      })
      return { apiKey, plain }
    })
  }

  /**
   * Revokes a key. Returns null when there is no such key; revoking a
   * revoked key changes nothing.
   */
  async revoke(id: number, actor: Actor) {
    const revoked = await db.transaction(async (trx) => {
      const apiKey = await ApiKey.query({ client: trx }).where('id', id).forUpdate().first()
      if (!apiKey) return null
      if (apiKey.revokedAt) return apiKey
      apiKey.useTransaction(trx)
      apiKey.revokedAt = DateTime.utc()
      await apiKey.save()
      await this.audit.record(trx, actor, {
        action: 'api_key.revoked',
        subjectType: 'api_key',
        subjectId: apiKey.id,
        before: { revoked_at: null },
        after: { revoked_at: apiKey.revokedAt.toISO() },
      })
      return apiKey
    })
    // After the commit: a process that asks the database from now on finds it revoked.
    if (revoked) await announceRevocation(this.cache, revoked.keyHash)
    return revoked
  }

  /**
   * The active key for a presented value, or null. Keys are looked up by
   * their digest: equal digests mean equal keys, and nothing about a stored
   * key leaks through timing since the value compared is a hash.
   */
  async authenticate(presented: string | undefined | null): Promise<AuthenticatedApiKey | null> {
    if (!presented || !API_KEY_PATTERN.test(presented)) return null
    const digest = hashApiKey(presented)
    const known = this.cache.get(digest)
    if (known) return known

    // Prepared: planned once per connection. Columns are named, so a later
    // column added to the table cannot break the statement on connections
    // that already hold it.
    const [row] = await preparedQuery<{ id: number; name: string; last_used_at: Date | null }>(
      'keyward_api_key_by_hash',
      `SELECT id, name, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [digest]
    )
    if (!row) return null
    const apiKey = { id: row.id, name: row.name }
    this.cache.set(digest, apiKey)

    /**
     * Skip the write (a round trip) while the stored time is recent; the
     * WHERE below still keeps processes from all writing.
     */
    const stale = DateTime.utc().minus({ seconds: LAST_USED_RESOLUTION_SECONDS })
    if (row.last_used_at && row.last_used_at > stale.toJSDate()) return apiKey

    await db
      .from('api_keys')
      .where('id', apiKey.id)
      .where((query) =>
        query
          .whereNull('last_used_at')
          .orWhereRaw(`last_used_at < now() - interval '${LAST_USED_RESOLUTION_SECONDS} seconds'`)
      )
      .update({ last_used_at: db.raw('now()') })
    return apiKey
  }
}
