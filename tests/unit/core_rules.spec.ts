import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import License from '#models/license'
import LicenseSession from '#models/license_session'
import {
  isLicenseExpired,
  isLicenseUsable,
  licenseExpiredSql,
  licenseStatusSql,
  licenseUsableSql,
} from '#rules/license_usable'
import { isSessionLive, sessionExpiredSql, sessionLiveSql } from '#rules/session_live'
import { HEARTBEAT_AND_LOG, HEARTBEAT_ONLY } from '#services/heartbeat_statements'

/**
 * The two rules of the core, pinned: "the license is usable" (active and
 * not expired) and "the session is live" (`expires_at` after now). Nothing
 * here needs PostgreSQL: the scopes are compiled, not run.
 */
const now = DateTime.fromISO('2026-06-01T12:00:00Z', { zone: 'utc' })
const at = (seconds: number) => now.plus({ seconds })

test.group('Rule: the license is usable', () => {
  test('an active license is usable until the moment it expires, not at it', ({ assert }) => {
    assert.isTrue(isLicenseUsable({ status: 'active', expiresAt: at(1) }, now))
    assert.isFalse(isLicenseUsable({ status: 'active', expiresAt: now }, now), 'expiry exactly now')
    assert.isFalse(isLicenseUsable({ status: 'active', expiresAt: at(-1) }, now))
    assert.isTrue(isLicenseExpired({ status: 'active', expiresAt: now }, now))
    assert.isFalse(isLicenseExpired({ status: 'active', expiresAt: at(1) }, now))
  })

  test('a license without expiry is usable while active', ({ assert }) => {
    assert.isTrue(isLicenseUsable({ status: 'active', expiresAt: null }, now))
    assert.isFalse(isLicenseExpired({ status: 'active', expiresAt: null }, now))
  })

  test('a suspended or revoked license is never usable, and not "expired" either', ({ assert }) => {
    for (const status of ['suspended', 'revoked']) {
      for (const expiresAt of [null, at(3600), at(-3600)]) {
        assert.isFalse(isLicenseUsable({ status, expiresAt }, now), `${status}, ${expiresAt}`)
        assert.isFalse(isLicenseExpired({ status, expiresAt }, now))
      }
    }
  })

  test('Dates and DateTimes give the same answer', ({ assert }) => {
    const expiresAt = now.toJSDate()
    assert.isFalse(isLicenseUsable({ status: 'active', expiresAt }, now.toJSDate()))
    assert.isTrue(isLicenseUsable({ status: 'active', expiresAt }, at(-1).toJSDate()))
  })

  test('the model agrees: statusAt is active exactly when the license is usable', ({ assert }) => {
    for (const [status, expiresAt] of [
      ['active', null],
      ['active', at(1)],
      ['active', now],
      ['suspended', at(1)],
      ['revoked', null],
    ] as const) {
      const license = new License()
      license.status = status
      license.expiresAt = expiresAt
      assert.equal(license.statusAt(now) === 'active', isLicenseUsable(license, now))
    }
  })

  test('the SQL fragments', ({ assert }) => {
    assert.equal(
      licenseUsableSql('l', '$1'),
      "(l.status = 'active' AND (l.expires_at IS NULL OR l.expires_at > $1))"
    )
    assert.equal(
      licenseUsableSql(null),
      "(status = 'active' AND (expires_at IS NULL OR expires_at > ?))"
    )
    assert.equal(licenseExpiredSql('l'), "(l.status = 'active' AND l.expires_at <= ?)")
    assert.equal(
      licenseStatusSql('l'),
      "CASE WHEN (l.status = 'active' AND l.expires_at <= ?) THEN 'expired' ELSE l.status END"
    )
  })

  test('the License.usable and License.expired scopes are the fragments', ({ assert }) => {
    const moment = now.toJSDate()
    const usable = License.query()
      .withScopes((scopes) => scopes.usable(moment))
      .toSQL()
    assert.include(usable.sql, licenseUsableSql('licenses'))
    assert.deepEqual(usable.bindings, [moment])
    const expired = License.query()
      .withScopes((scopes) => scopes.expired(moment))
      .toSQL()
    assert.include(expired.sql, licenseExpiredSql('licenses'))
    assert.deepEqual(expired.bindings, [moment])
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
