import { randomBytes } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import Meter from '#models/meter'
import LicenseTemplate from '#models/license_template'
import type Device from '#models/device'
import type License from '#models/license'
import { createLicense, createProduct, unique } from '#tests/support/fixtures'

/** A meter of the product (a new product when none is given): monthly, UTC, deny, limit 10 by default. */
export async function createMeter(overrides: Partial<Meter> = {}) {
  const productId = overrides.productId ?? (await createProduct()).id
  return Meter.create({
    code: unique('meter').replace('-', '_'),
    name: 'Exports',
    period: 'month',
    timeZone: 'UTC',
    defaultLimit: 10,
    overage: 'deny',
    ...overrides,
    productId,
  })
}

/** A license of the meter's product. */
export function licenseFor(meter: Meter, overrides: Partial<License> = {}) {
  return createLicense({ productId: meter.productId, type: 'perpetual', ...overrides })
}

/** A template of the meter's product that sets its limit. */
export async function templateLimiting(meter: Meter, limit: number | null) {
  const template = await LicenseTemplate.create({
    productId: meter.productId,
    name: unique('template'),
    type: 'perpetual',
    expiryBasis: 'creation',
    maxDevices: 1,
    maxSessions: 1,
  })
  await db
    .table('license_template_meters')
    .insert({ template_id: template.id, meter_id: meter.id, limit })
  return template
}

export async function setOwnLimit(license: License, meter: Meter, limit: number | null) {
  await db
    .table('license_meter_limits')
    .insert({ license_id: license.id, meter_id: meter.id, limit })
}

/** Month partitions of usage_events from `from`'s month on, for tests whose clock leaves the present. */
export async function ensureUsagePartitions(from: DateTime, months: number) {
  await db.rawQuery('SELECT ensure_usage_partitions(?::timestamptz, ?::integer)', [
    from.toJSDate(),
    months,
  ])
}

export async function eventsOf(license: License, meter: Meter) {
  return db.from('usage_events').where({ license_id: license.id, meter_id: meter.id }).orderBy('id')
}

/** A session that ended normally, filed in session_history as the session engine files it. */
export async function endedSession(
  license: License,
  device: Device,
  startedAt: DateTime,
  endedAt: DateTime
) {
  await db.rawQuery(
    `INSERT INTO session_history (id, license_id, device_id, fingerprint, token_hash, policy,
       started_at, last_heartbeat_at, ended_at, end_reason)
     VALUES (nextval(pg_get_serial_sequence('license_sessions', 'id')), ?, ?, ?, ?,
       'resumable', ?, ?, ?, 'normal')`,
    [
      license.id,
      device.id,
      device.fingerprint,
      randomBytes(32).toString('hex'),
      startedAt.toJSDate(),
      endedAt.toJSDate(),
      endedAt.toJSDate(),
    ]
  )
}
