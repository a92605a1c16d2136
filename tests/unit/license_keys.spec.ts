import { test } from '@japa/runner'
import {
  apiKeyHint,
  API_KEY_PATTERN,
  deriveFingerprint,
  generateApiKey,
  generateLicenseKey,
  hashApiKey,
  LICENSE_KEY_ALPHABET,
  LICENSE_KEY_PATTERN,
  normalizeLicenseKey,
} from '#support/license_keys'

const SAMPLE_SIZE = 10_000

test.group('License keys', () => {
  test('the alphabet has 32 distinct symbols and no look-alikes', ({ assert }) => {
    assert.lengthOf(LICENSE_KEY_ALPHABET, 32)
    assert.equal(new Set(LICENSE_KEY_ALPHABET).size, 32)
    for (const lookAlike of ['0', 'O', '1', 'I']) {
      assert.notInclude(LICENSE_KEY_ALPHABET, lookAlike)
    }
    assert.match(LICENSE_KEY_ALPHABET, /^[A-Z2-9]+$/)
  })

  test('keys have four groups of four symbols', ({ assert }) => {
    for (let index = 0; index < 100; index++) {
      const key = generateLicenseKey()
      assert.match(key, LICENSE_KEY_PATTERN)
      assert.match(key, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/)
    }
  })

  test('the pattern refuses look-alikes, lower case and other shapes', ({ assert }) => {
    for (const key of [
      'ABCD-EFGH-JKLM-NPQ0',
      'ABCD-EFGH-JKLM-NPQO',
      'ABCD-EFGH-JKLM-NPQ1',
      'ABCD-EFGH-JKLM-NPQI',
      'abcd-efgh-jklm-npqr',
      'ABCDEFGHJKLMNPQR',
      'ABCD-EFGH-JKLM',
    ]) {
      assert.notMatch(key, LICENSE_KEY_PATTERN, key)
    }
  })

  test('10,000 keys are unique and use every symbol about equally often', ({ assert }) => {
    const keys = Array.from({ length: SAMPLE_SIZE }, () => generateLicenseKey())
    assert.equal(new Set(keys).size, SAMPLE_SIZE)

    const counts = new Map<string, number>()
    for (const key of keys) {
      for (const symbol of key.replaceAll('-', '')) {
        counts.set(symbol, (counts.get(symbol) ?? 0) + 1)
      }
    }
    assert.deepEqual([...counts.keys()].sort(), [...LICENSE_KEY_ALPHABET].sort())

    /**
     * Chi-square with 31 degrees of freedom has mean 31; it exceeds 120
     * about once in 5 × 10^11 runs, and each symbol's count strays 15% from
     * its share even less often (10 standard deviations). A source biased
     * by a fifth on a single symbol lands far beyond both.
     */
    const expected = (SAMPLE_SIZE * 16) / LICENSE_KEY_ALPHABET.length
    let chiSquare = 0
    for (const observed of counts.values()) {
      chiSquare += (observed - expected) ** 2 / expected
      assert.isAbove(observed, expected * 0.85)
      assert.isBelow(observed, expected * 1.15)
    }
    assert.isBelow(chiSquare, 120)
  })

  test('normalizing trims and upper-cases', ({ assert }) => {
    assert.equal(normalizeLicenseKey('  abcd-efgh-jklm-npqr \n'), 'ABCD-EFGH-JKLM-NPQR')
    assert.equal(normalizeLicenseKey('ABCD-EFGH-JKLM-NPQR'), 'ABCD-EFGH-JKLM-NPQR')
  })

  test('legacy 12-character keys normalize too', ({ assert }) => {
    assert.equal(normalizeLicenseKey(' abc123xyz789 '), 'ABC123XYZ789')
    assert.equal(normalizeLicenseKey('AbC123xYz789'), 'ABC123XYZ789')
  })
})

test.group('API keys', () => {
  test('keys carry the current UTC year and 32 random symbols', ({ assert }) => {
    const key = generateApiKey()
    assert.match(key, API_KEY_PATTERN)
    assert.isTrue(key.startsWith(`AF-${new Date().getUTCFullYear()}-`))
    assert.lengthOf(key, 'AF-0000-'.length + 32)
  })

  test('the year is the UTC year, not the local one', ({ assert }) => {
    // 23:30 on 31 December in New York is already the next year in UTC.
    const key = generateApiKey(new Date('2030-12-31T23:30:00-05:00'))
    assert.isTrue(key.startsWith('AF-2031-'))
  })

  test('keys are unique', ({ assert }) => {
    const keys = Array.from({ length: 1000 }, () => generateApiKey())
    assert.equal(new Set(keys).size, keys.length)
  })

  test('the stored digest is a deterministic SHA-256 in hex', ({ assert }) => {
    const key = generateApiKey()
    assert.match(hashApiKey(key), /^[0-9a-f]{64}$/)
    assert.equal(hashApiKey(key), hashApiKey(key))
    assert.notEqual(hashApiKey(key), hashApiKey(generateApiKey()))
    // The SHA-256 test vector for "abc".
    assert.equal(
      hashApiKey('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    )
  })
})

test.group('API key hints', () => {
  test('show the prefix and 4 + 4 secret symbols, never the whole key', ({ assert }) => {
    const key = 'AF-2026-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'
    assert.equal(apiKeyHint(key), 'AF-2026-ABCD…2345')
    assert.notInclude(apiKeyHint(key), 'EFGHIJKLMNOPQRSTUVWXYZ01')
  })
})

test.group('Derived fingerprints', () => {
  test('are deterministic SHA-256 digests', ({ assert }) => {
    const fingerprint = deriveFingerprint('machine-1', 'hardware-1')
    assert.match(fingerprint, /^[0-9a-f]{64}$/)
    assert.equal(deriveFingerprint('machine-1', 'hardware-1'), fingerprint)
  })

  test('differ when either input differs', ({ assert }) => {
    const fingerprint = deriveFingerprint('machine-1', 'hardware-1')
    assert.notEqual(deriveFingerprint('machine-2', 'hardware-1'), fingerprint)
    assert.notEqual(deriveFingerprint('machine-1', 'hardware-2'), fingerprint)
    assert.notEqual(deriveFingerprint('hardware-1', 'machine-1'), fingerprint)
  })

  test('keep the two inputs apart', ({ assert }) => {
    assert.notEqual(deriveFingerprint('ab', 'c'), deriveFingerprint('a', 'bc'))
  })
})
