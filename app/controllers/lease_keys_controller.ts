import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { LeaseKeyring } from '#services/lease_keyring'

/**
 * `GET /api/keys/public`: the public keys that verify leases, the signing
 * one and those retired while leases they signed may still be valid.
 */
@inject()
export default class LeaseKeysController {
  constructor(protected keyring: LeaseKeyring) {}

  async index({ response }: HttpContext) {
    const keys = await this.keyring.publishedKeys()
    response.header('cache-control', 'public, max-age=60')
    return { active_kid: keys.find((key) => key.status === 'active')!.kid, keys }
  }
}
