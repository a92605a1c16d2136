import { createPrivateKey, sign } from 'node:crypto'
import { test } from '@japa/runner'
import { generateKey, rotated, type KeyringData, type StoredKey } from '#services/lease_keyring'
import { trustedKeys, verifyLease, type PublicKey } from '../../sdk/src/lease.ts'

/** The public half of a stored key, as the server publishes it. */
function published(key: StoredKey): PublicKey {
  const privateKey = createPrivateKey({
    key: Buffer.from(key.private_key, 'base64url'),
    format: 'der',
    type: 'pkcs8',
  })
  const { x } = privateKey.export({ format: 'jwk' }) as { x: string }
  return {
    kid: key.kid,
    kty: 'OKP',
    crv: 'Ed25519',
    x,
    endorsed_by: key.endorsed_by,
    endorsement: key.endorsement,
  }
}

function leaseSignedBy(key: StoredKey, claims: Record<string, unknown>) {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const signed = `${encode({ alg: 'EdDSA', typ: 'JWT', kid: key.kid })}.${encode(claims)}`
  const privateKey = createPrivateKey({
    key: Buffer.from(key.private_key, 'base64url'),
    format: 'der',
    type: 'pkcs8',
  })
  return `${signed}.${sign(null, Buffer.from(signed), privateKey).toString('base64url')}`
}

const claims = {
  license_key: 'K7QM-2XWD-9FHT-4RPA',
  product: 'demo',
  fingerprint: 'kw1-unit',
  features: {},
  license_expires_at: null,
  issued_at: '2026-11-23T10:00:00.000Z',
  valid_until: '2026-11-30T10:00:00.000Z',
  iat: 0,
  exp: 0,
}
const expect = { licenseKey: ' k7qm-2xwd-9fht-4rpa ', fingerprint: 'kw1-unit' }

test.group('SDK lease trust', () => {
  test('a pinned key trusts its successors through the chain of endorsements', ({ assert }) => {
    let keyring: KeyringData = { version: 1, keys: [generateKey(new Date())] }
    keyring = rotated(keyring, new Date()).keyring
    keyring = rotated(keyring, new Date()).keyring
    const keys = keyring.keys.map(published)
    const trusted = trustedKeys(keys, [keys[0]])
    assert.deepEqual(
      trusted.map((key) => key.kid),
      keys.map((key) => key.kid)
    )
    const lease = leaseSignedBy(keyring.keys[2], claims)
    assert.equal(verifyLease(lease, trusted, expect).product, 'demo')
  })

  test('a key with a forged or missing endorsement is not trusted when keys are pinned', ({
    assert,
  }) => {
    const root = generateKey(new Date())
    const stranger = generateKey(new Date())
    const forged = { ...published(stranger), endorsed_by: root.kid, endorsement: 'A'.repeat(86) }
    const selfEndorsed = published(generateKey(new Date(), stranger))
    const trusted = trustedKeys([published(root), forged, selfEndorsed], [published(root)])
    assert.deepEqual(
      trusted.map((key) => key.kid),
      [root.kid]
    )
    assert.throws(
      () => verifyLease(leaseSignedBy(stranger, claims), trusted, expect),
      'signed by an unknown key'
    )
  })

  test('a key whose kid is not its thumbprint is ignored', ({ assert }) => {
    const key = published(generateKey(new Date()))
    assert.lengthOf(trustedKeys([{ ...key, kid: 'another-kid' }]), 0)
  })

  test('leases of another license or device, or with another algorithm, are refused', ({
    assert,
  }) => {
    const key = generateKey(new Date())
    const keys = [published(key)]
    const lease = leaseSignedBy(key, claims)
    assert.throws(
      () => verifyLease(lease, keys, { ...expect, fingerprint: 'kw1-other' }),
      'lease of another device'
    )
    assert.throws(
      () => verifyLease(lease, keys, { ...expect, licenseKey: 'AAAA-BBBB-CCCC-DDDD' }),
      'lease of another license'
    )
    const [, payload, signature] = lease.split('.')
    const none = Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')
    assert.throws(
      () => verifyLease(`${none}.${payload}.${signature}`, keys, expect),
      'unexpected algorithm'
    )
    assert.throws(() => verifyLease('not-a-lease', keys, expect), 'malformed lease')
  })
})
