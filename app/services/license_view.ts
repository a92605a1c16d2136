import type { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import type License from '#models/license'
import type Device from '#models/device'

/**
 * The session policy a license runs under: its own, or the configured
 * default.
 */
export function effectivePolicy(license: License): string {
  return license.sessionPolicy ?? app.config.get<string>('plugins.defaultSessionPolicy')
}

/**
 * `LicenseView` of API.md. `product` is the product's slug.
 */
export function licenseView(license: License, devicesInUse: number, now: DateTime) {
  return {
    key: license.key,
    status: license.statusAt(now),
    product: license.product?.slug ?? null,
    type: license.type,
    expires_at: license.expiresAt?.toUTC().toISO() ?? null,
    max_devices: license.maxDevices,
    max_sessions: license.maxSessions,
    session_policy: effectivePolicy(license),
    devices_in_use: devicesInUse,
    features: license.features ?? {},
  }
}

export function deviceView(device: Device) {
  return {
    fingerprint: device.fingerprint,
    name: device.name,
    type: device.type,
    active: device.active,
    first_activated_at: device.firstActivatedAt.toUTC().toISO(),
    last_seen_at: device.lastSeenAt.toUTC().toISO(),
  }
}
