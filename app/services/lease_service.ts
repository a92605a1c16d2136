import { sign } from 'node:crypto'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import type { DateTime } from 'luxon'
import type License from '#models/license'
import type Product from '#models/product'
import { LeaseKeyring } from '#services/lease_keyring'
import { ClientResponseExtensions, type JsonValue } from '#services/client_response_extensions'

/**
 * What a lease states. Times appear twice: as ISO strings like the rest of
 * the API, and as `iat`/`exp` seconds so any JWT library checks them.
 * Claims plugins add (ClientResponseExtensions, point `lease`) follow these,
 * inside the signed payload.
 */
export interface LeaseClaims {
  license_key: string
  product: string
  fingerprint: string
  features: Record<string, unknown>
  /** The license's effective entitlement codes, sorted, as at issue. */
  entitlements: string[]
  /** `grace` once the license has expired and is within its product's expiry grace. */
  status: 'active' | 'grace'
  license_expires_at: string | null
  /** When the expiry grace ends; null without expiry or when the product grants none. */
  grace_ends_at: string | null
  issued_at: string
  valid_until: string
  iat: number
  exp: number
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * Signed leases: a compact JWS (`header.payload.signature`, EdDSA over
 * Ed25519) that lets a client keep working offline until `valid_until`.
 */
@inject()
export class LeaseService {
  constructor(
    protected keyring: LeaseKeyring,
    protected extensions: ClientResponseExtensions
  ) {}

  /** Seconds of offline use the product grants; 0 means none. */
  graceFor(product: Pick<Product, 'offlineGraceSeconds'>) {
    return product.offlineGraceSeconds ?? app.config.get<number>('leases.offlineGraceSeconds')
  }

  /**
   * A lease for this license on this device, valid for the product's
   * offline grace and never past the license's own expiry, or the end of
   * its expiry grace when the product grants one. None when the
   * product grants no offline use. `entitlements` are the license's
   * effective ones (LicenseEntitlements), which the caller has read already.
   */
  async issue(
    license: License,
    fingerprint: string,
    now: DateTime,
    entitlements: readonly string[]
  ): Promise<string | null> {
    const issuedAt = now.toJSDate()
    let validUntil = issuedAt.getTime() + this.graceFor(license.product) * 1000
    const usableUntil = (license.graceEndsAt ?? license.expiresAt)?.toMillis() ?? null
    if (usableUntil !== null) validUntil = Math.min(validUntil, usableUntil)
    if (validUntil <= issuedAt.getTime()) return null

    const claims: LeaseClaims & Record<string, JsonValue | Record<string, unknown>> = {
      license_key: license.key,
      product: license.product.slug,
      fingerprint,
      features: license.features ?? {},
      entitlements: [...entitlements],
      status: license.statusAt(now) === 'grace' ? 'grace' : 'active',
      license_expires_at: license.expiresAt?.toUTC().toISO() ?? null,
      grace_ends_at: license.graceEndsAt?.toISO() ?? null,
      issued_at: issuedAt.toISOString(),
      valid_until: new Date(validUntil).toISOString(),
      iat: Math.floor(issuedAt.getTime() / 1000),
      exp: Math.floor(validUntil / 1000),
      ...(await this.extensions.collect('lease', {
        license,
        product: license.product,
        fingerprint,
        now,
      })),
    }
    const key = await this.keyring.signingKey()
    const signed = `${encode({ alg: 'EdDSA', typ: 'JWT', kid: key.kid })}.${encode(claims)}`
    const signature = sign(null, Buffer.from(signed), key.privateKey).toString('base64url')
    return `${signed}.${signature}`
  }
}
