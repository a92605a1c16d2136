import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { SecurityEventRecorder } from '#services/security/security_event_recorder'
import SecurityAlerts, { type RaiseOutcome } from '#services/security/security_alerts'
import SecurityRules from '#services/security/security_rules'
import { fingerprintDigestSql } from '#services/security/security_events'
import { detectAll, type SeenEvent, type Sighting } from '#services/security/detectors'
import { Clock } from '#support/clock'

/** The event kinds the detectors read. */
const DETECTED_KINDS = [
  'license_not_found',
  'session_limit_reached',
  'invalid_api_key',
  'clock_rollback',
  'lease_tampering',
]

/**
 * Rows read per run, at most, of each source: under a flood of refusals the
 * newest are judged (far more than any threshold), and a run stays cheap.
 */
const MAX_ROWS = 20_000

/**
 * One run of the detectors (the `security:detect` job, every minute): reads
 * the window's security events and session starts, lets the pure rules of
 * #services/security/detectors judge them, and raises an alert for each
 * finding (deduplicated per rule and subject by SecurityAlerts).
 */
@inject()
export default class SecurityDetection {
  constructor(
    protected clock: Clock,
    protected rules: SecurityRules,
    protected alerts: SecurityAlerts,
    protected recorder: SecurityEventRecorder
  ) {}

  async run() {
    // What this process still holds in its buffer belongs to the window too.
    await this.recorder.flush()
    const now = this.clock.now().toJSDate()
    const { settingsOf, longestWindowMinutes } = await this.rules.settings()
    const from = new Date(now.getTime() - longestWindowMinutes * 60_000)
    const [events, sightings] = await Promise.all([
      this.events(from, now),
      this.sightings(from, now),
    ])
    const holders = new Map<number, Set<string>>()
    for (const sighting of sightings) {
      const own = holders.get(sighting.licenseId) ?? new Set<string>()
      own.add(sighting.fingerprintDigest)
      holders.set(sighting.licenseId, own)
    }
    const findings = detectAll({ events, sightings, holders }, now, settingsOf)
    const outcomes: RaiseOutcome[] = []
    for (const finding of findings) {
      const outcome = await this.alerts.raise(finding)
      if (outcome) outcomes.push(outcome)
    }
    return {
      findings: findings.length,
      opened: outcomes.filter((outcome) => outcome.opened).length,
      evidenceAdded: outcomes.reduce((sum, outcome) => sum + outcome.evidenceAdded, 0),
    }
  }

  protected async events(from: Date, to: Date): Promise<SeenEvent[]> {
    const rows = await db
      .from('security_events')
      .whereIn('kind', DETECTED_KINDS)
      .where('at', '>=', from)
      .where('at', '<=', to)
      .orderBy('at', 'desc')
      .limit(MAX_ROWS)
      .select(
        'id',
        'at',
        'kind',
        'license_id',
        'product_id',
        'api_key_id',
        db.raw('host(ip) AS ip'),
        'fingerprint_digest',
        'details'
      )
    return rows.map((row) => ({
      id: Number(row.id),
      at: row.at,
      kind: row.kind,
      licenseId: row.license_id,
      productId: row.product_id,
      apiKeyId: row.api_key_id,
      ip: row.ip,
      fingerprintDigest: row.fingerprint_digest,
      details: row.details ?? {},
    }))
  }

  /** Session starts in the window, live and ended (found through the history's `ended_at` index). */
  protected async sightings(from: Date, to: Date): Promise<Sighting[]> {
    const { rows } = await db.rawQuery(
      `SELECT source, at, license_id, product_id, digest, ip FROM (
         SELECT 'session:' || s.id AS source, s.started_at AS at, s.license_id, l.product_id,
           ${fingerprintDigestSql('s.fingerprint')} AS digest, s.ip
         FROM license_sessions s JOIN licenses l ON l.id = s.license_id
         WHERE s.started_at >= ? AND s.started_at <= ?
         UNION ALL
         SELECT 'session:' || h.id, h.started_at, h.license_id, l.product_id,
           ${fingerprintDigestSql('h.fingerprint')}, h.ip
         FROM session_history h JOIN licenses l ON l.id = h.license_id
         WHERE h.ended_at >= ? AND h.started_at >= ? AND h.started_at <= ?
       ) AS seen
       ORDER BY at DESC
       LIMIT ${MAX_ROWS}`,
      [from, to, from, from, to]
    )
    return rows.map((row: Record<string, any>) => ({
      source: row.source,
      at: row.at,
      licenseId: Number(row.license_id),
      productId: Number(row.product_id),
      fingerprintDigest: row.digest,
      ip: row.ip,
    }))
  }
}
