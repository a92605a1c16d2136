import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import License from '#models/license'
import Product from '#models/product'
import LicenseSession from '#models/license_session'
import {
  graceEnd,
  isLicenseExpired,
  isLicenseInGrace,
  isLicenseUsable,
  licenseExpiredSql,
  licenseInGraceSql,
  licenseStatusAt,
  licenseStatusSql,
  licenseUsableSql,
} from '#rules/license_usable'
import { isSessionLive, sessionExpiredSql, sessionLiveSql } from '#rules/session_live'
import { HEARTBEAT_AND_LOG, HEARTBEAT_ONLY } from '#services/heartbeat_statements'

/**
 * The two rules of the core, pinned: "the license is usable" (active and
 * not expired, or within its product's expiry grace) and "the session is
 * live" (`expires_at` after now). Nothing here needs PostgreSQL: the scopes
 * are compiled, not run (tests/functional/expiry_grace.spec.ts runs the SQL
 * against the predicate).
 */
const now = DateTime.fromISO('2026-06-01T12:00:00Z', { zone: 'utc' })
const at = (seconds: number) => now.plus({ seconds })
const DAY = 86_400

/** A license of a product without expiry grace, unless `expiryGraceDays` says otherwise. */
const state = (status: string, expiresAt: DateTime | Date | null, expiryGraceDays = 0) => ({
  status,
  expiresAt,
  expiryGraceDays,
})

test.group('Rule: the license is usable', () => {
  test('an active license is usable until the moment it expires, not at it', ({ assert }) => {
    assert.isTrue(isLicenseUsable(state('active', at(1)), now))
    assert.isFalse(isLicenseUsable(state('active', now), now), 'expiry exactly now')
    assert.isFalse(isLicenseUsable(state('active', at(-1)), now))
    assert.isTrue(isLicenseExpired(state('active', now), now))
    assert.isFalse(isLicenseExpired(state('active', at(1)), now))
  })

  test('a license without expiry is usable while active', ({ assert }) => {
    assert.isTrue(isLicenseUsable(state('active', null), now))
    assert.isFalse(isLicenseExpired(state('active', null), now))
    assert.isFalse(isLicenseInGrace(state('active', null, 30), now))
    assert.isNull(graceEnd(state('active', null, 30)))
  })

  test('a suspended or revoked license is never usable, and not "expired" either', ({ assert }) => {
    for (const status of ['suspended', 'revoked']) {
      for (const expiresAt of [null, at(3600), at(-3600)]) {
        for (const grace of [0, 7]) {
          const license = state(status, expiresAt, grace)
          assert.isFalse(isLicenseUsable(license, now), `${status}, ${expiresAt}, ${grace}`)
          assert.isFalse(isLicenseExpired(license, now))
          assert.isFalse(isLicenseInGrace(license, now))
          assert.equal(licenseStatusAt(license, now), status)
        }
      }
    }
  })

  test("in its grace an expired license stays usable, up to the grace's last moment", ({
    assert,
  }) => {
    const expiresAt = at(-3 * DAY)
    const license = state('active', expiresAt, 7)
    assert.equal(graceEnd(license), expiresAt.plus({ days: 7 }).toMillis())
    for (const moment of [expiresAt, now, expiresAt.plus({ seconds: 7 * DAY - 1 })]) {
      assert.isTrue(isLicenseUsable(license, moment), moment.toISO()!)
      assert.isTrue(isLicenseInGrace(license, moment))
      assert.isFalse(isLicenseExpired(license, moment))
      assert.equal(licenseStatusAt(license, moment), 'grace')
    }
    const graceOver = expiresAt.plus({ seconds: 7 * DAY })
    assert.isFalse(isLicenseUsable(license, graceOver), 'grace end exactly now')
    assert.isFalse(isLicenseInGrace(license, graceOver))
    assert.isTrue(isLicenseExpired(license, graceOver))
    assert.equal(licenseStatusAt(license, graceOver), 'expired')
    assert.equal(licenseStatusAt(license, expiresAt.minus({ milliseconds: 1 })), 'active')
  })

  test('a grace day is 24 hours, also across a daylight saving change', ({ assert }) => {
    // Paris moves its clocks forward during the night to 29 March 2026.
    const expiresAt = DateTime.fromISO('2026-03-28T12:00:00', { zone: 'Europe/Paris' })
    assert.equal(graceEnd(state('active', expiresAt, 1)), expiresAt.toMillis() + DAY * 1000)
  })

  test('a product without grace has no grace end', ({ assert }) => {
    assert.isNull(graceEnd(state('active', at(-1), 0)))
    assert.isNull(graceEnd(state('active', at(1), 0)))
  })

  test('Dates and DateTimes give the same answer', ({ assert }) => {
    const expiresAt = now.toJSDate()
    assert.isFalse(isLicenseUsable(state('active', expiresAt), now.toJSDate()))
    assert.isTrue(isLicenseUsable(state('active', expiresAt), at(-1).toJSDate()))
    assert.isTrue(isLicenseUsable(state('active', expiresAt, 1), at(1).toJSDate()))
  })

  test('the model agrees: statusAt is active or grace exactly when the license is usable', ({
    assert,
  }) => {
    for (const [status, expiresAt, grace, shown] of [
      ['active', null, 0, 'active'],
      ['active', at(1), 0, 'active'],
      ['active', now, 0, 'expired'],
      ['active', now, 1, 'grace'],
      ['active', at(-DAY), 1, 'expired'],
      ['suspended', at(1), 0, 'suspended'],
      ['revoked', null, 0, 'revoked'],
    ] as const) {
      const license = new License()
      license.status = status
      license.expiresAt = expiresAt
      license.$setRelated('product', Object.assign(new Product(), { expiryGraceDays: grace }))
      assert.equal(license.statusAt(now), shown)
      assert.equal(
        ['active', 'grace'].includes(license.statusAt(now)),
        isLicenseUsable(license, now)
      )
    }
  })

  test('judging a license that has not expired needs no product', ({ assert }) => {
    const license = new License()
    license.status = 'active'
    license.expiresAt = at(60)
    assert.equal(license.statusAt(now), 'active')
    license.expiresAt = at(-60)
    assert.throws(() => license.statusAt(now), /load its product/)
  })

  test('the SQL fragments', ({ assert }) => {
    const grace =
      "(SELECT grace.expiry_grace_days FROM products AS grace WHERE grace.id = l.product_id) * interval '24 hours'"
    assert.equal(
      licenseUsableSql('l', '$1'),
      `(l.status = 'active' AND (l.expires_at IS NULL OR l.expires_at > $1 OR l.expires_at + ${grace} > $1))`
    )
    assert.equal(
      licenseExpiredSql('l'),
      `(l.status = 'active' AND l.expires_at <= :now AND l.expires_at + ${grace} <= :now)`
    )
    assert.equal(
      licenseInGraceSql('l'),
      `(l.status = 'active' AND l.expires_at <= :now AND l.expires_at + ${grace} > :now)`
    )
    assert.equal(
      licenseStatusSql('l'),
      `CASE WHEN l.status <> 'active' OR l.expires_at IS NULL OR l.expires_at > :now THEN l.status WHEN l.expires_at + ${grace} > :now THEN 'grace' ELSE 'expired' END`
    )
  })

  test("without an alias, the product is the licenses table's", ({ assert }) => {
    assert.include(licenseUsableSql(null), 'WHERE grace.id = licenses.product_id')
    assert.match(licenseUsableSql(null), /^\(status = 'active' AND \(expires_at IS NULL OR/)
  })

  test('the License.usable and License.expired scopes are the fragments', ({ assert }) => {
    const moment = now.toJSDate()
    const usable = License.query()
      .withScopes((scopes) => scopes.usable(moment))
      .toSQL()
    assert.include(usable.sql, licenseUsableSql('licenses', '?'))
    assert.deepEqual(usable.bindings, [moment, moment])
    const expired = License.query()
      .withScopes((scopes) => scopes.expired(moment))
      .toSQL()
    assert.include(expired.sql, licenseExpiredSql('licenses', '?'))
    assert.deepEqual(expired.bindings, [moment, moment])
  })
})

test.group('Rule: the session is live', () => {
  test('live until its expiry, not at it', ({ assert }) => {
    assert.isTrue(isSessionLive({ expiresAt: at(1) }, now))
    assert.isFalse(isSessionLive({ expiresAt: now }, now), 'expiry exactly now')
    assert.isFalse(isSessionLive({ expiresAt: at(-1) }, now))
    assert.isFalse(isSessionLive({ expiresAt: now.toJSDate() }, now.toJSDate()))
  })

  test('the SQL fragments, and the negation the sweeper uses', ({ assert }) => {
    assert.equal(sessionLiveSql('s', '$1'), 's.expires_at > $1')
    assert.equal(sessionLiveSql(null), 'expires_at > ?')
    assert.equal(sessionExpiredSql(null), 'expires_at <= ?')
    assert.equal(sessionExpiredSql('s', '$1'), 's.expires_at <= $1')
  })

  test('the LicenseSession.live scope is the fragment', ({ assert }) => {
    const moment = now.toJSDate()
    const live = LicenseSession.query()
      .withScopes((scopes) => scopes.live(moment))
      .toSQL()
    assert.include(live.sql, sessionLiveSql('license_sessions'))
    assert.deepEqual(live.bindings, [moment])
  })
})

test.group('The heartbeat statements use both rules', () => {
  test('one prepared statement checks the session is live and the license usable at $1', ({
    assert,
  }) => {
    for (const statement of [HEARTBEAT_AND_LOG, HEARTBEAT_ONLY]) {
      assert.include(statement, sessionLiveSql('s', '$1'))
      assert.include(statement, licenseUsableSql('l', '$1'))
    }
  })
})
