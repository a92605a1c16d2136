import type { AutomaticAction, SecurityRule, SecurityRuleName } from '#config/security'

/**
 * The detectors' rules, as pure functions of what was seen: each takes the
 * rows of its window and the settings in force, and returns its findings.
 * The job (SecurityDetection) loads the rows and turns findings into
 * alerts; nothing here reads the database or the clock.
 */

/** A refused request (a row of `security_events`). */
export interface SeenEvent {
  id: number
  at: Date
  kind: string
  licenseId: number | null
  productId: number | null
  apiKeyId: number | null
  ip: string | null
  fingerprintDigest: string | null
  details: Record<string, unknown>
}

/** A license in use: a session started, or a device seen (activation, verify). */
export interface Sighting {
  /** Where it comes from, unique: `session:12`, `device:7`. */
  source: string
  at: Date
  licenseId: number
  productId: number
  fingerprintDigest: string
  ip: string | null
}

export interface EvidenceItem {
  source: string
  at: Date
  kind: string
  licenseId: number | null
  ip: string | null
  fingerprintDigest: string | null
  details: Record<string, unknown>
}

export interface Finding {
  rule: SecurityRuleName
  /** What it is about, one open alert per rule and subject: `license:12`, `ip:203.0.113.7`. */
  subject: string
  severity: SecurityRule['severity']
  /** One English sentence (for webhooks and e-mail; the panel words its own). */
  summary: string
  licenseId: number | null
  productId: number | null
  ip: string | null
  /** The figures behind it, for the panel's wording: `{ count, threshold, windowMinutes }`. */
  figures: Record<string, number>
  evidence: EvidenceItem[]
  /** The rule's automatic actions for this subject's product, taken when the alert opens. */
  actions: AutomaticAction[]
}

/** The settings of each rule for a product (null: the install's, for rules about addresses). */
export type RuleSettingsOf = (rule: SecurityRuleName, productId: number | null) => SecurityRule

/** Evidence kept per finding: the latest items, enough to judge by. */
export const MAX_EVIDENCE = 50

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`

const since = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000)

function eventEvidence(event: SeenEvent): EvidenceItem {
  return {
    source: `event:${event.id}`,
    at: event.at,
    kind: event.kind,
    licenseId: event.licenseId,
    ip: event.ip,
    fingerprintDigest: event.fingerprintDigest,
    details: event.details,
  }
}

function sightingEvidence(sighting: Sighting): EvidenceItem {
  return {
    source: sighting.source,
    at: sighting.at,
    kind: sighting.source.startsWith('session:') ? 'session_started' : 'device_seen',
    licenseId: sighting.licenseId,
    ip: sighting.ip,
    fingerprintDigest: sighting.fingerprintDigest,
    details: {},
  }
}

function latest<T extends { at: Date }>(items: T[]) {
  return [...items].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(0, MAX_EVIDENCE)
}

function groupBy<T, K>(items: T[], key: (item: T) => K | null) {
  const groups = new Map<K, T[]>()
  for (const item of items) {
    const k = key(item)
    if (k === null) continue
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}

/** The one address all items share, or null. */
function soleIp(items: Array<{ ip: string | null }>) {
  const ips = new Set(items.map((item) => item.ip))
  return ips.size === 1 ? [...ips][0] : null
}

/**
 * Sharing: one license used from more than `threshold` distinct devices,
 * or from more than twice as many addresses, within the window. A customer
 * with a few devices, or one who reinstalls, stays below it.
 */
export function detectSharing(sightings: Sighting[], now: Date, settingsOf: RuleSettingsOf) {
  const findings: Finding[] = []
  for (const [licenseId, all] of groupBy(sightings, (s) => s.licenseId)) {
    const settings = settingsOf('sharing', all[0].productId)
    if (!settings.enabled) continue
    const from = since(now, settings.windowMinutes)
    const seen = all.filter((s) => s.at >= from && s.at <= now)
    const devices = new Set(seen.map((s) => s.fingerprintDigest)).size
    const addresses = new Set(seen.flatMap((s) => (s.ip ? [s.ip] : []))).size
    if (devices <= settings.threshold && addresses <= settings.threshold * 2) continue
    findings.push({
      rule: 'sharing',
      subject: `license:${licenseId}`,
      severity: settings.severity,
      summary: `License used from ${devices} devices and ${plural(addresses, 'address', 'addresses')} within ${settings.windowMinutes} minutes`,
      licenseId,
      productId: all[0].productId,
      ip: null,
      figures: {
        devices,
        addresses,
        threshold: settings.threshold,
        windowMinutes: settings.windowMinutes,
      },
      evidence: latest(seen).map(sightingEvidence),
      actions: settings.actions,
    })
  }
  return findings
}

/**
 * Someone else trying to use a license: `SESSION_LIMIT_REACHED` for it,
 * `threshold` times or more, from devices that held none of its sessions
 * in the window (`holders`: fingerprint digests per license). A launcher
 * and its bot on one machine, refused from the device that holds the
 * session, do not count.
 */
export function detectSessionContention(
  events: SeenEvent[],
  holders: Map<number, Set<string>>,
  now: Date,
  settingsOf: RuleSettingsOf
) {
  const findings: Finding[] = []
  const refused = events.filter((e) => e.kind === 'session_limit_reached')
  for (const [licenseId, all] of groupBy(refused, (e) => e.licenseId)) {
    const settings = settingsOf('session_contention', all[0].productId)
    if (!settings.enabled) continue
    const from = since(now, settings.windowMinutes)
    const own = holders.get(licenseId) ?? new Set<string>()
    const others = all.filter(
      (e) => e.at >= from && e.at <= now && !(e.fingerprintDigest && own.has(e.fingerprintDigest))
    )
    if (others.length < settings.threshold) continue
    const devices = new Set(others.map((e) => e.fingerprintDigest)).size
    findings.push({
      rule: 'session_contention',
      subject: `license:${licenseId}`,
      severity: settings.severity,
      summary: `${others.length} session starts refused for other devices (${devices}) within ${settings.windowMinutes} minutes`,
      licenseId,
      productId: all[0].productId,
      ip: soleIp(others),
      figures: {
        count: others.length,
        devices,
        threshold: settings.threshold,
        windowMinutes: settings.windowMinutes,
      },
      evidence: latest(others).map(eventEvidence),
      actions: settings.actions,
    })
  }
  return findings
}

/** Counting rules over events of one kind, by a subject of the event (an IP, an API key). */
function countBy(
  rule: SecurityRuleName,
  events: SeenEvent[],
  kinds: string[],
  subjectOf: (event: SeenEvent) => string | null,
  now: Date,
  settingsOf: RuleSettingsOf,
  describe: (count: number, subject: string, windowMinutes: number) => string
) {
  const settings = settingsOf(rule, null)
  if (!settings.enabled) return []
  const from = since(now, settings.windowMinutes)
  const inWindow = events.filter((e) => kinds.includes(e.kind) && e.at >= from && e.at <= now)
  const findings: Finding[] = []
  for (const [subject, all] of groupBy(inWindow, subjectOf)) {
    if (all.length < settings.threshold) continue
    const ip = subject.startsWith('ip:') ? subject.slice(3) : soleIp(all)
    findings.push({
      rule,
      subject,
      severity: settings.severity,
      summary: describe(all.length, subject, settings.windowMinutes),
      licenseId: null,
      productId: null,
      ip,
      figures: {
        count: all.length,
        threshold: settings.threshold,
        windowMinutes: settings.windowMinutes,
      },
      evidence: latest(all).map(eventEvidence),
      actions: settings.actions,
    })
  }
  return findings
}

/** Key guessing: many unknown license keys from one address, or through one API key. */
export function detectKeyGuessing(events: SeenEvent[], now: Date, settingsOf: RuleSettingsOf) {
  const describe = (count: number, subject: string, minutes: number) =>
    `${count} unknown license keys tried from ${subject.replace(':', ' ')} within ${minutes} minutes`
  return [
    ...countBy(
      'key_guessing',
      events,
      ['license_not_found'],
      (e) => (e.ip ? `ip:${e.ip}` : null),
      now,
      settingsOf,
      describe
    ),
    ...countBy(
      'key_guessing',
      events,
      ['license_not_found'],
      (e) => (e.apiKeyId ? `api_key:${e.apiKeyId}` : null),
      now,
      settingsOf,
      describe
    ),
  ]
}

/** A burst of `401 INVALID_API_KEY` from one address. */
export function detectUnauthorizedBurst(
  events: SeenEvent[],
  now: Date,
  settingsOf: RuleSettingsOf
) {
  return countBy(
    'unauthorized_burst',
    events,
    ['invalid_api_key'],
    (e) => (e.ip ? `ip:${e.ip}` : null),
    now,
    settingsOf,
    (count, subject, minutes) =>
      `${count} requests with a bad API key from ${subject.slice(3)} within ${minutes} minutes`
  )
}

/**
 * One device switching back and forth between licenses of one product:
 * `threshold` or more switches (a session start on another license than
 * the device's previous one) within the window. A device with licenses of
 * two products (two programs) switches nothing.
 */
export function detectLicenseFlapping(
  sightings: Sighting[],
  now: Date,
  settingsOf: RuleSettingsOf
) {
  const findings: Finding[] = []
  const starts = sightings.filter((s) => s.source.startsWith('session:'))
  const byDevice = groupBy(starts, (s) => `${s.fingerprintDigest}:${s.productId}`)
  for (const all of byDevice.values()) {
    const settings = settingsOf('license_flapping', all[0].productId)
    if (!settings.enabled) continue
    const from = since(now, settings.windowMinutes)
    const ordered = all
      .filter((s) => s.at >= from && s.at <= now)
      .sort((a, b) => a.at.getTime() - b.at.getTime())
    let switches = 0
    for (let index = 1; index < ordered.length; index++) {
      if (ordered[index].licenseId !== ordered[index - 1].licenseId) switches++
    }
    if (switches < settings.threshold) continue
    const licenses = [...new Set(ordered.map((s) => s.licenseId))]
    const last = ordered[ordered.length - 1]
    findings.push({
      rule: 'license_flapping',
      subject: `device:${last.fingerprintDigest}`,
      severity: settings.severity,
      summary: `One device switched ${switches} times between ${licenses.length} licenses within ${settings.windowMinutes} minutes`,
      licenseId: last.licenseId,
      productId: last.productId,
      ip: soleIp(ordered),
      figures: {
        switches,
        licenses: licenses.length,
        threshold: settings.threshold,
        windowMinutes: settings.windowMinutes,
      },
      evidence: latest(ordered).map(sightingEvidence),
      actions: settings.actions,
    })
  }
  return findings
}

/** Clock rollback or lease tampering reported by the SDK for a license. */
export function detectClockRollback(events: SeenEvent[], now: Date, settingsOf: RuleSettingsOf) {
  const findings: Finding[] = []
  const reports = events.filter((e) => e.kind === 'clock_rollback' || e.kind === 'lease_tampering')
  for (const [licenseId, all] of groupBy(reports, (e) => e.licenseId)) {
    const settings = settingsOf('clock_rollback', all[0].productId)
    if (!settings.enabled) continue
    const from = since(now, settings.windowMinutes)
    const seen = all.filter((e) => e.at >= from && e.at <= now)
    if (seen.length < settings.threshold) continue
    const kinds = [...new Set(seen.map((e) => e.kind.replace('_', ' ')))].join(' and ')
    findings.push({
      rule: 'clock_rollback',
      subject: `license:${licenseId}`,
      severity: settings.severity,
      summary: `${seen.length} reports of ${kinds} from the SDK within ${settings.windowMinutes} minutes`,
      licenseId,
      productId: all[0].productId,
      ip: soleIp(seen),
      figures: {
        count: seen.length,
        threshold: settings.threshold,
        windowMinutes: settings.windowMinutes,
      },
      evidence: latest(seen).map(eventEvidence),
      actions: settings.actions,
    })
  }
  return findings
}

/** Every rule over one window's rows. */
export function detectAll(
  input: { events: SeenEvent[]; sightings: Sighting[]; holders: Map<number, Set<string>> },
  now: Date,
  settingsOf: RuleSettingsOf
): Finding[] {
  return [
    ...detectSharing(input.sightings, now, settingsOf),
    ...detectSessionContention(input.events, input.holders, now, settingsOf),
    ...detectKeyGuessing(input.events, now, settingsOf),
    ...detectUnauthorizedBurst(input.events, now, settingsOf),
    ...detectLicenseFlapping(input.sightings, now, settingsOf),
    ...detectClockRollback(input.events, now, settingsOf),
  ]
}
