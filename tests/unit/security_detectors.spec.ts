import { test } from '@japa/runner'
import type { SecurityRule, SecurityRuleName } from '#config/security'
import {
  MAX_EVIDENCE,
  detectClockRollback,
  detectKeyGuessing,
  detectLicenseFlapping,
  detectSessionContention,
  detectSharing,
  detectUnauthorizedBurst,
  type RuleSettingsOf,
  type SeenEvent,
  type Sighting,
} from '#services/security/detectors'
import { effectiveRule } from '#services/security/security_rules'

const NOW = new Date('2026-06-01T12:00:00Z')
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000)

const rule = (threshold: number, windowMinutes: number): SecurityRule => ({
  enabled: true,
  threshold,
  windowMinutes,
  severity: 'medium',
  actions: [],
})

/** Every rule at `threshold` within `windowMinutes`, product 2's sharing at 1. */
function settings(threshold: number, windowMinutes = 60): RuleSettingsOf {
  return (name: SecurityRuleName, productId) =>
    name === 'sharing' && productId === 2 ? rule(1, windowMinutes) : rule(threshold, windowMinutes)
}

let nextId = 1
function event(kind: string, fields: Partial<SeenEvent> = {}): SeenEvent {
  return {
    id: nextId++,
    at: minutesAgo(1),
    kind,
    licenseId: null,
    productId: null,
    apiKeyId: null,
    ip: '203.0.113.7',
    fingerprintDigest: null,
    details: {},
    ...fields,
  }
}

function start(licenseId: number, device: string, fields: Partial<Sighting> = {}): Sighting {
  return {
    source: `session:${nextId++}`,
    at: minutesAgo(1),
    licenseId,
    productId: 1,
    fingerprintDigest: device,
    ip: '198.51.100.1',
    ...fields,
  }
}

test.group('Detector: sharing', () => {
  test('more than the threshold of devices opens a finding; the threshold itself does not', ({
    assert,
  }) => {
    const three = ['a', 'b', 'c'].map((device) => start(1, device))
    assert.lengthOf(detectSharing(three, NOW, settings(3)), 0)
    const four = [...three, start(1, 'd')]
    const [finding] = detectSharing(four, NOW, settings(3))
    assert.include(finding, { rule: 'sharing', subject: 'license:1', licenseId: 1, productId: 1 })
    assert.equal(finding.figures.devices, 4)
    assert.lengthOf(finding.evidence, 4)
  })

  test('sightings outside the window do not count', ({ assert }) => {
    const old = ['a', 'b', 'c', 'd'].map((device) => start(1, device, { at: minutesAgo(90) }))
    assert.lengthOf(detectSharing(old, NOW, settings(3, 60)), 0)
  })

  test('addresses count at twice the threshold', ({ assert }) => {
    const roaming = Array.from({ length: 7 }, (_, index) =>
      start(1, 'a', { ip: `10.0.0.${index}` })
    )
    assert.lengthOf(detectSharing(roaming, NOW, settings(3)), 1)
    assert.lengthOf(detectSharing(roaming.slice(0, 6), NOW, settings(3)), 0)
  })

  test("a product's own threshold applies to its licenses", ({ assert }) => {
    const two = [start(5, 'a', { productId: 2 }), start(5, 'b', { productId: 2 })]
    assert.lengthOf(detectSharing(two, NOW, settings(3)), 1)
  })

  test('evidence is capped at the newest items', ({ assert }) => {
    const many = Array.from({ length: 80 }, (_, index) =>
      start(1, `device-${index}`, { at: minutesAgo(index % 50) })
    )
    const [finding] = detectSharing(many, NOW, settings(3))
    assert.lengthOf(finding.evidence, MAX_EVIDENCE)
  })
})

test.group('Detector: session contention', () => {
  test('refusals for devices holding none of its sessions count; the holder does not', ({
    assert,
  }) => {
    const holders = new Map([[1, new Set(['holder'])]])
    const own = Array.from({ length: 6 }, () =>
      event('session_limit_reached', { licenseId: 1, productId: 1, fingerprintDigest: 'holder' })
    )
    assert.lengthOf(detectSessionContention(own, holders, NOW, settings(5)), 0)
    const others = Array.from({ length: 5 }, (_, index) =>
      event('session_limit_reached', { licenseId: 1, productId: 1, fingerprintDigest: `x${index}` })
    )
    const [finding] = detectSessionContention([...own, ...others], holders, NOW, settings(5))
    assert.include(finding, { rule: 'session_contention', subject: 'license:1', ip: '203.0.113.7' })
    assert.equal(finding.figures.count, 5)
  })
})

test.group('Detector: key guessing and 401 bursts', () => {
  test('unknown keys from one address, and through one API key', ({ assert }) => {
    const fromOneIp = Array.from({ length: 20 }, () => event('license_not_found'))
    const throughOneKey = Array.from({ length: 20 }, (_, index) =>
      event('license_not_found', { apiKeyId: 9, ip: `10.1.0.${index}` })
    )
    const subjects = detectKeyGuessing([...fromOneIp, ...throughOneKey], NOW, settings(20)).map(
      (finding) => finding.subject
    )
    assert.sameMembers(subjects, ['ip:203.0.113.7', 'api_key:9'])
  })

  test('a customer who mistypes a key a few times is no finding', ({ assert }) => {
    const typos = Array.from({ length: 3 }, () => event('license_not_found'))
    assert.lengthOf(detectKeyGuessing(typos, NOW, settings(20)), 0)
  })

  test('a burst of bad API keys from one address', ({ assert }) => {
    const burst = Array.from({ length: 30 }, () => event('invalid_api_key'))
    const [finding] = detectUnauthorizedBurst(burst, NOW, settings(30))
    assert.include(finding, { subject: 'ip:203.0.113.7', ip: '203.0.113.7' })
    assert.lengthOf(detectUnauthorizedBurst(burst.slice(1), NOW, settings(30)), 0)
  })
})

test.group('Detector: license flapping', () => {
  test('one device switching back and forth between two licenses of a product', ({ assert }) => {
    const starts = [1, 2, 1, 2, 1].map((licenseId, index) =>
      start(licenseId, 'device', { at: minutesAgo(50 - index) })
    )
    const [finding] = detectLicenseFlapping(starts, NOW, settings(4))
    assert.include(finding, { rule: 'license_flapping', licenseId: 1 })
    assert.equal(finding.figures.switches, 4)
    assert.lengthOf(detectLicenseFlapping(starts.slice(1), NOW, settings(4)), 0)
  })

  test('licenses of two products on one device are two programs, not flapping', ({ assert }) => {
    const starts = [1, 2, 1, 2, 1, 2].map((licenseId, index) =>
      start(licenseId, 'device', { productId: licenseId, at: minutesAgo(50 - index) })
    )
    assert.lengthOf(detectLicenseFlapping(starts, NOW, settings(4)), 0)
  })
})

test.group('Detector: clock rollback', () => {
  test('one report from the SDK is enough at threshold 1', ({ assert }) => {
    const [finding] = detectClockRollback(
      [event('clock_rollback', { licenseId: 3, productId: 1 })],
      NOW,
      settings(1)
    )
    assert.include(finding, { subject: 'license:3', severity: 'medium' })
    assert.lengthOf(detectClockRollback([event('license_not_found')], NOW, settings(1)), 0)
  })
})

test.group('Rule settings', () => {
  test("a product's override replaces only the fields it sets", ({ assert }) => {
    const base = rule(4, 60)
    assert.deepEqual(
      effectiveRule(base, {
        enabled: null,
        threshold: 9,
        windowMinutes: null,
        actions: ['suspend_license'],
      }),
      { ...base, threshold: 9, actions: ['suspend_license'] }
    )
    assert.deepEqual(effectiveRule(base), base)
  })

  test('a disabled rule finds nothing', ({ assert }) => {
    const off: RuleSettingsOf = () => ({ ...rule(1, 60), enabled: false })
    assert.lengthOf(detectClockRollback([event('clock_rollback', { licenseId: 3 })], NOW, off), 0)
  })
})
