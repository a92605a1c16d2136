import { readFile } from 'node:fs/promises'
import { test } from '@japa/runner'
import {
  LISTENED_EVENTS,
  NOTIFICATION_TYPES,
  MAX_LICENSES_IN_PAYLOAD,
  notificationOf,
} from '../../services/catalogue.js'
import { messageParams } from '../../services/email_notifier.js'

const license = (id: number) => ({ id, key: `KEY-${id}`, productId: 1, customerId: null })
const actor = { kind: 'admin' as const, id: 1, email: 'owner@example.com' }

/** One payload per domain event, as the core and the checks emit them. */
const samples = {
  'security:alert_opened': {
    alertId: 5,
    rule: 'sharing',
    severity: 'high',
    summary: 'shared',
    license: license(1),
    ip: '203.0.113.1',
  },
  'license:created': { licenses: [license(1)], batchId: 'b', actor },
  'license:status_changed': { licenses: [license(1)], status: 'revoked', actor },
  'license:expiring': { license: license(1), expiresAt: '2026-12-10T00:00:00.000Z', daysLeft: 6 },
  'license:expired': { license: license(1), expiredAt: '2026-12-01T00:00:00.000Z' },
  'license:limit_reached': {
    license: license(1),
    limit: 'sessions',
    max: 2,
    fingerprintDigest: null,
    ip: null,
  },
  'usage:limit_reached': {
    license: license(1),
    meter: 'exports',
    limit: 5,
    used: 5,
    resetsAt: null,
  },
  'backup:failed': { backupId: 3, reason: 'disk full' },
  'backup:overdue': { lastSuccessAt: null, maxAgeHours: 26 },
  'worker:silent': { lastBeatAt: null },
} as const

test.group('notifications: the catalogue', () => {
  test('every domain event becomes a known type, with a panel link', ({ assert }) => {
    for (const event of LISTENED_EVENTS) {
      const notification = notificationOf(event, samples[event] as never)
      assert.include(NOTIFICATION_TYPES, notification.type, event)
      assert.match(notification.panelPath, /^\/admin(\/|$)/, event)
    }
    assert.equal(
      notificationOf('license:status_changed', samples['license:status_changed'] as never).type,
      'license.revoked'
    )
  })

  test('a large batch names its first licenses and the count', ({ assert }) => {
    const licenses = Array.from({ length: 250 }, (_, index) => license(index + 1))
    const { data, panelPath } = notificationOf('license:created', {
      licenses,
      batchId: null,
      actor,
    })
    assert.equal(data.count, 250)
    assert.lengthOf(data.licenses as unknown[], MAX_LICENSES_IN_PAYLOAD)
    assert.isTrue(data.truncated)
    assert.equal(panelPath, '/admin/licenses')
  })

  test('every type has its title and its e-mail sentence in English and German', async ({
    assert,
  }) => {
    for (const locale of ['en', 'de']) {
      const messages = JSON.parse(
        await readFile(new URL(`../../lang/${locale}/notifications.json`, import.meta.url), 'utf8')
      )
      for (const type of NOTIFICATION_TYPES) {
        const key = type.replace('.', '_')
        assert.isString(messages.types[key], `${locale} types.${key}`)
        assert.isString(messages.mail[key], `${locale} mail.${key}`)
        // Every placeholder the sentence uses is one messageParams gives.
        const notification = LISTENED_EVENTS.map((event) =>
          notificationOf(event, samples[event] as never)
        ).find((candidate) => candidate.type === type)
        const params = notification ? messageParams(type, notification.data) : {}
        for (const [, name] of messages.mail[key].matchAll(/\{(\w+)[,}]/g)) {
          if (notification) assert.property(params, name, `${locale} mail.${key} {${name}}`)
        }
      }
    }
  })
})
