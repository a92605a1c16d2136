import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import License from '#models/license'
import Product from '#models/product'
import { DomainError } from '#exceptions/domain_error'
import {
  CLASSIC_BATCH_TYPES,
  expiryFor,
  INVALID_LICENSE_TYPE,
  LICENSE_TYPE_PATTERN,
  parseLicenseType,
} from '#support/license_duration'

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })

/**
 * The expiry of `type` counted from `start`, as an ISO string in UTC.
 */
function expiry(type: string, start: string) {
  return expiryFor(type, utc(start))?.toISO()
}

test.group('License types', () => {
  test('the classic types and custom labels are valid', ({ assert }) => {
    for (const type of [...CLASSIC_BATCH_TYPES, 'perpetual', '90d', '2w', '12h', '2y', '9999d']) {
      assert.match(type, LICENSE_TYPE_PATTERN)
      assert.doesNotThrow(() => parseLicenseType(type))
    }
  })

  test('labels map to luxon durations', ({ assert }) => {
    assert.deepEqual(parseLicenseType('12h'), { hours: 12 })
    assert.deepEqual(parseLicenseType('5d'), { days: 5 })
    assert.deepEqual(parseLicenseType('2w'), { weeks: 2 })
    assert.deepEqual(parseLicenseType('6m'), { months: 6 })
    assert.deepEqual(parseLicenseType('2y'), { years: 2 })
    assert.isNull(parseLicenseType('perpetual'))
  })

  test('"{$self}" is not a license type')
    .with(['0d', '1x', '', 'forever', '10000d', '01d', '1D', ' 1d', '1d ', '-1d', '1.5m'])
    .run(({ assert }, label) => {
      for (const attempt of [
        () => parseLicenseType(label),
        () => expiryFor(label, utc('2026-01-01T00:00:00Z')),
      ]) {
        assert.throws(attempt, DomainError)
        try {
          attempt()
        } catch (error) {
          assert.isTrue(DomainError.is(error, INVALID_LICENSE_TYPE))
        }
      }
    })

  test('the error names the label', ({ assert }) => {
    assert.throws(() => parseLicenseType('forever'), /"forever" is not a license type/)
  })
})

test.group('Expiry arithmetic', () => {
  test('days, weeks and hours are added exactly', ({ assert }) => {
    assert.equal(expiry('1d', '2026-01-31T10:00:00Z'), '2026-02-01T10:00:00.000Z')
    assert.equal(expiry('5d', '2026-01-31T10:00:00Z'), '2026-02-05T10:00:00.000Z')
    assert.equal(expiry('90d', '2026-01-01T00:00:00Z'), '2026-04-01T00:00:00.000Z')
    assert.equal(expiry('2w', '2026-02-20T08:30:00Z'), '2026-03-06T08:30:00.000Z')
    assert.equal(expiry('12h', '2026-12-31T18:00:00Z'), '2027-01-01T06:00:00.000Z')
  })

  test('a month from 31 January is the last day of February', ({ assert }) => {
    assert.equal(expiry('1m', '2026-01-31T10:00:00Z'), '2026-02-28T10:00:00.000Z')
  })

  test('a month from 31 January in a leap year is 29 February', ({ assert }) => {
    assert.equal(expiry('1m', '2028-01-31T10:00:00Z'), '2028-02-29T10:00:00.000Z')
  })

  test('six months land on the same day, or the last day of a shorter month', ({ assert }) => {
    assert.equal(expiry('6m', '2026-01-15T10:00:00Z'), '2026-07-15T10:00:00.000Z')
    assert.equal(expiry('6m', '2026-08-31T10:00:00Z'), '2027-02-28T10:00:00.000Z')
  })

  test('12 months from 29 February end on 28 February', ({ assert }) => {
    assert.equal(expiry('12m', '2028-02-29T10:00:00Z'), '2029-02-28T10:00:00.000Z')
    assert.equal(expiry('12m', '2026-03-10T10:00:00Z'), '2027-03-10T10:00:00.000Z')
  })

  test('years follow the calendar', ({ assert }) => {
    assert.equal(expiry('2y', '2026-05-01T00:00:00Z'), '2028-05-01T00:00:00.000Z')
    assert.equal(expiry('2y', '2028-02-29T00:00:00Z'), '2030-02-28T00:00:00.000Z')
  })

  test('perpetual licenses never expire', ({ assert }) => {
    assert.isNull(expiryFor('perpetual', utc('2026-01-01T00:00:00Z')))
  })

  test('results are in UTC whatever the zone of the start', ({ assert }) => {
    const start = DateTime.fromISO('2026-01-31T23:30:00', { zone: 'America/New_York' })
    const end = expiryFor('1m', start)!
    assert.equal(end.zoneName, 'UTC')
    assert.equal(end.offset, 0)
    // 04:30 UTC on 1 February, plus a calendar month counted in UTC.
    assert.equal(end.toISO(), '2026-03-01T04:30:00.000Z')
  })

  test('a day is 24 hours even across a daylight saving change', ({ assert }) => {
    // Paris moves its clocks forward during the night to 29 March 2026.
    const start = DateTime.fromISO('2026-03-28T12:00:00', { zone: 'Europe/Paris' })
    const end = expiryFor('1d', start)!
    assert.equal(end.diff(start, 'hours').hours, 24)
  })
})

test.group('License#statusAt', () => {
  const now = utc('2026-06-01T12:00:00Z')

  function license(fields: Partial<Pick<License, 'status' | 'expiresAt' | 'activatedAt'>>) {
    const model = new License()
    model.type = '1m'
    model.expiryBasis = 'creation'
    model.status = 'active'
    model.activatedAt = null
    model.expiresAt = null
    model.merge(fields)
    model.$setRelated('product', Object.assign(new Product(), { expiryGraceDays: 0 }))
    return model
  }

  test('an active license before its expiry is active', ({ assert }) => {
    const model = license({ expiresAt: now.plus({ seconds: 1 }) })
    assert.equal(model.statusAt(now), 'active')
  })

  test('it is expired from the very moment of its expiry', ({ assert }) => {
    assert.equal(license({ expiresAt: now }).statusAt(now), 'expired')
    assert.equal(license({ expiresAt: now.minus({ days: 3 }) }).statusAt(now), 'expired')
  })

  test('expired is derived from the clock, never stored', ({ assert }) => {
    const model = license({ expiresAt: now })
    assert.equal(model.statusAt(now.minus({ milliseconds: 1 })), 'active')
    assert.equal(model.statusAt(now), 'expired')
    assert.equal(model.status, 'active')
  })

  test('a revocation or suspension wins over an expiry', ({ assert }) => {
    const past = now.minus({ days: 1 })
    assert.equal(license({ status: 'revoked', expiresAt: past }).statusAt(now), 'revoked')
    assert.equal(license({ status: 'suspended', expiresAt: past }).statusAt(now), 'suspended')
    assert.equal(license({ status: 'revoked' }).statusAt(now), 'revoked')
    assert.equal(license({ status: 'suspended' }).statusAt(now), 'suspended')
  })

  test('a license without an expiry stays active', ({ assert }) => {
    const perpetual = license({})
    perpetual.type = 'perpetual'
    assert.equal(perpetual.statusAt(now.plus({ years: 50 })), 'active')
  })

  test('an unused first-activation license does not age on the shelf', ({ assert }) => {
    const model = license({})
    model.expiryBasis = 'first_activation'
    model.createdAt = now.minus({ years: 3 })
    assert.isFalse(model.used)
    assert.equal(model.statusAt(now), 'active')
  })

  test('a first-activation license expires one period after its activation', ({ assert }) => {
    const activatedAt = now.minus({ days: 40 })
    const model = license({ activatedAt, expiresAt: expiryFor('1m', activatedAt) })
    model.expiryBasis = 'first_activation'
    assert.isTrue(model.used)
    assert.equal(model.statusAt(activatedAt.plus({ days: 27 })), 'active')
    assert.equal(model.statusAt(now), 'expired')
  })
})
