import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import Meter from '#models/meter'
import LicenseTemplate from '#models/license_template'
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
