import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { SecurityEventRecorder } from '#services/security/security_event_recorder'
import SecurityDetection from '#services/security/security_detection'
import { unique } from '#tests/support/fixtures'

/**
 * Security events of the test server (it runs in the test process): its
 * buffer written out, then the rows read back.
 */
export async function flushSecurityEvents() {
  const recorder = await app.container.make(SecurityEventRecorder)
  await recorder.flush()
}

export type SecurityEventRow = {
  id: number
  kind: string
  license_id: number | null
  product_id: number | null
  api_key_id: number | null
  ip: string | null
  fingerprint_digest: string | null
  user_agent: string | null
  details: Record<string, unknown>
}

/** The events a request of this test wrote, found by its own user agent. */
export async function securityEventsOf(userAgent: string): Promise<SecurityEventRow[]> {
  await flushSecurityEvents()
  return db
    .from('security_events')
    .where('user_agent', userAgent)
    .orderBy('id')
    .select('id', 'kind', 'license_id', 'product_id', 'api_key_id', db.raw('host(ip) AS ip'))
    .select('fingerprint_digest', 'user_agent', 'details')
}

/** A user agent no other test sends: it finds this test's events. */
export const testAgent = () => unique('keyward-test-agent')

/** One run of the detectors, as the `security:detect` job does. */
export async function runDetectors() {
  const detection = await app.container.make(SecurityDetection)
  return detection.run()
}

/** The unresolved alerts of a rule about a subject. */
export function alertsAbout(rule: string, subject: string) {
  return db.from('security_alerts').where({ rule, subject }).orderBy('id').select('*')
}
