import { createHash, randomBytes, randomInt } from 'node:crypto'

/**
 * 32 symbols without look-alikes (no 0/O, no 1/I): each carries exactly
 * 5 bits, so a CSPRNG byte masked to 5 bits picks one without bias.
 * Four groups of four give 16 × 5 = 80 bits.
 */
export const LICENSE_KEY_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'
export const LICENSE_KEY_PATTERN = /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/

export function generateLicenseKey(): string {
  const bytes = randomBytes(16)
  let key = ''
  for (let index = 0; index < 16; index++) {
    if (index > 0 && index % 4 === 0) key += '-'
    key += LICENSE_KEY_ALPHABET[bytes[index] & 31]
  }
  return key
}

/**
 * License keys are compared after trimming and upper-casing (API.md), which
 * also keeps imported legacy keys such as `abc123xyz789` working.
 */
export function normalizeLicenseKey(key: string): string {
  return key.trim().toUpperCase()
}

/**
 * Client API keys: `AF-<year>-` and 32 symbols of [A-Z0-9] from a CSPRNG
 * (randomInt draws without modulo bias), about 165 bits.
 */
const API_KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
export const API_KEY_PATTERN = /^AF-\d{4}-[A-Z0-9]{32}$/

export function generateApiKey(now: Date = new Date()): string {
  let secret = ''
  for (let index = 0; index < 32; index++) {
    secret += API_KEY_ALPHABET[randomInt(API_KEY_ALPHABET.length)]
  }
  return `AF-${now.getUTCFullYear()}-${secret}`
}

/**
 * What is stored for an API key. A fast digest is right here: the key is
 * long and random, so there is nothing to brute-force, and a deterministic
 * digest lets each request find its key through a unique index.
 */
export function hashApiKey(key: string): string {
  return sha256Hex(key)
}

/** An opaque, unguessable session token: 256 bits from the CSPRNG. */
export function generateSessionToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * What a session is looked up by; for the same reason as API keys, a fast
 * deterministic digest is enough.
 */
export function hashSessionToken(token: string): string {
  return sha256Hex(token)
}

/**
 * A hint an admin can recognise a key by: the prefix, then 4 + 4 of its 32
 * secret symbols, which leaves some 124 bits unknown.
 */
export function apiKeyHint(key: string): string {
  return `${key.slice(0, 12)}…${key.slice(-4)}`
}

/**
 * Clients that send `machine_id` and `hardware_hash` instead of a
 * `hardware_fingerprint` get one derived from both, deterministically.
 */
export function deriveFingerprint(machineId: string, hardwareHash: string): string {
  return sha256Hex(`${machineId}\u0000${hardwareHash}`)
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}
