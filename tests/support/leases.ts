import { createPublicKey, verify } from 'node:crypto'
import type { PublishedKey } from '#services/lease_keyring'

/** A lease's header and claims, without checking anything. */
export function decodeLease(token: string) {
  const [header, payload] = token.split('.')
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, any>,
  }
}

/**
 * Checks a lease the way any JOSE library would: EdDSA over
 * `header.payload`, with the published key its `kid` names (none: false).
 */
export function leaseVerifies(token: string, keys: PublishedKey[]) {
  const [header, payload, signature] = token.split('.')
  const { kid } = JSON.parse(Buffer.from(header, 'base64url').toString())
  const key = keys.find((candidate) => candidate.kid === kid)
  if (!key) return false
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: key.x },
    format: 'jwk',
  })
  return verify(
    null,
    Buffer.from(`${header}.${payload}`),
    publicKey,
    Buffer.from(signature, 'base64url')
  )
}
