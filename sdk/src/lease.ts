import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto'

/** What a lease states (signed by the server). */
export interface LeaseClaims {
  license_key: string
  product: string
  fingerprint: string
  features: Record<string, unknown>
  license_expires_at: string | null
  /** Effective entitlement codes, sorted (absent in leases of older servers). */
  entitlements?: string[]
  /** `grace`: signed while the license was past its expiry, in the product's grace. */
  status?: 'active' | 'grace'
  /** When the expiry grace ends; `valid_until` never passes it. */
  grace_ends_at?: string | null
  issued_at: string
  valid_until: string
  iat: number
  exp: number
}

/** A public key as `GET /api/keys/public` serves it (a JWK with Keyward's fields). */
export interface PublicKey {
  kid: string
  kty: 'OKP'
  crv: 'Ed25519'
  x: string
  status?: 'active' | 'retired'
  endorsed_by?: string | null
  endorsement?: string | null
  [member: string]: unknown
}

export class LeaseInvalid extends Error {}

const keyObjects = new Map<string, KeyObject>()

function keyObject(key: PublicKey) {
  let object = keyObjects.get(key.x)
  if (!object) {
    object = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.x }, format: 'jwk' })
    keyObjects.set(key.x, object)
  }
  return object
}

/** RFC 7638 thumbprint: the kid the server derives from the key itself. */
export function thumbprint(x: string) {
  return createHash('sha256')
    .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
    .digest('base64url')
}

function endorsementHolds(key: PublicKey, endorser: PublicKey) {
  if (!key.endorsement) return false
  try {
    return verify(
      null,
      Buffer.from(`keyward-key-endorsement:v1:${key.kid}:${key.x}`),
      keyObject(endorser),
      Buffer.from(key.endorsement, 'base64url')
    )
  } catch {
    return false
  }
}

/**
 * The keys a lease may be signed with. Without pinned keys, every published
 * key is trusted (trust on first use). With pinned keys, only those and the
 * keys they vouch for, in a chain of rotations: a build that pins today's
 * key keeps accepting leases after `keys:rotate`.
 */
export function trustedKeys(published: PublicKey[], pinned: PublicKey[] = []): PublicKey[] {
  const wellFormed = (key: PublicKey) =>
    key?.kty === 'OKP' &&
    key.crv === 'Ed25519' &&
    typeof key.x === 'string' &&
    thumbprint(key.x) === key.kid
  const candidates = published.filter(wellFormed)
  if (pinned.length === 0) return candidates

  const trusted = new Map(pinned.filter(wellFormed).map((key) => [key.kid, key]))
  let grew = true
  while (grew) {
    grew = false
    for (const key of candidates) {
      if (trusted.has(key.kid) || !key.endorsed_by) continue
      const endorser = trusted.get(key.endorsed_by)
      if (endorser && endorsementHolds(key, endorser)) {
        trusted.set(key.kid, key)
        grew = true
      }
    }
  }
  return [...trusted.values()]
}

function decodePart<T>(part: string | undefined): T {
  if (!part || !/^[A-Za-z0-9_-]+$/.test(part)) throw new LeaseInvalid('malformed lease')
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as T
  } catch {
    throw new LeaseInvalid('malformed lease')
  }
}

/** The key id a lease names, without checking anything. */
export function leaseKid(token: string): string | null {
  try {
    return decodePart<{ kid?: string }>(token.split('.')[0]).kid ?? null
  } catch {
    return null
  }
}

/**
 * Checks a lease's signature against the trusted keys and that it was made
 * for this license and device; returns its claims. Time is judged by the
 * caller. Throws `LeaseInvalid` for anything else.
 */
export function verifyLease(
  token: string,
  keys: PublicKey[],
  expect: { licenseKey: string; fingerprint: string }
): LeaseClaims {
  const parts = token.split('.')
  if (parts.length !== 3) throw new LeaseInvalid('malformed lease')
  const header = decodePart<{ alg?: string; kid?: string }>(parts[0])
  if (header.alg !== 'EdDSA') throw new LeaseInvalid('unexpected algorithm')
  const key = keys.find((candidate) => candidate.kid === header.kid)
  if (!key) throw new LeaseInvalid('signed by an unknown key')
  const signature = Buffer.from(parts[2], 'base64url')
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`)
  if (!verify(null, signed, keyObject(key), signature)) throw new LeaseInvalid('bad signature')

  const claims = decodePart<LeaseClaims>(parts[1])
  if (
    typeof claims.license_key !== 'string' ||
    typeof claims.fingerprint !== 'string' ||
    Number.isNaN(Date.parse(claims.issued_at)) ||
    Number.isNaN(Date.parse(claims.valid_until))
  ) {
    throw new LeaseInvalid('incomplete lease')
  }
  if (claims.license_key !== normalizeLicenseKey(expect.licenseKey)) {
    throw new LeaseInvalid('lease of another license')
  }
  if (claims.fingerprint !== expect.fingerprint) throw new LeaseInvalid('lease of another device')
  return claims
}

/** License keys compare trimmed and upper-cased, as the server does. */
export function normalizeLicenseKey(key: string) {
  return key.trim().toUpperCase()
}
