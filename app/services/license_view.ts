import type { DateTime } from 'luxon'
import type License from '#models/license'
import type Device from '#models/device'

/**
 * `LicenseView` of API.md. `product` is the product's slug; `sessionPolicy`
 * is the policy the license runs under (its own, or the default when its
 * own is not available).
 */
export function licenseView(
  license: License,
  devicesInUse: number,
  now: DateTime,
  sessionPolicy: string
) {
  return {
    key: license.key,
    status: license.statusAt(now),
    product: license.product?.slug ?? null,
    type: license.type,
    expires_at: license.expiresAt?.toUTC().toISO() ?? null,
    grace_ends_at: license.graceEndsAt?.toISO() ?? null,
    max_devices: license.maxDevices,
    max_sessions: license.maxSessions,
    session_policy: sessionPolicy,
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
