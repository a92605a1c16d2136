/** What happens to a resource its license gives back. */
export type ReleaseTo = 'available' | 'quarantine'

export interface ResourceTypeConfig {
  /** Shown in the panel; the built-in types have translated names. */
  label: string
  /** Where a released resource goes. */
  onRelease: ReleaseTo
  /** How long a released resource rests before reuse, when `onRelease` is 'quarantine'. */
  quarantineHours: number
  /** The panel and the dashboard warn when fewer free resources of the type are left. */
  lowWatermark: number
  /** For types of the config: what a value must look like (the built-in types have their own rules). */
  pattern: RegExp | null
}

export interface ResourcePoolsConfig {
  /** Every type, the built-in ones first, in the order clients get them. */
  types: Record<string, ResourceTypeConfig>
  /** What a client's report of a broken resource does: flag it, or also swap it for a free one. */
  onReport: 'flag' | 'replace'
  /** The most addresses one CIDR range may add. */
  maxRangeSize: number
  /** Region (ISO 3166 alpha-2) of phone numbers written without a country code; null: they are refused. */
  phoneRegion: string | null
}

export const BUILT_IN_TYPES = ['domain', 'ipv4', 'phone'] as const

const TYPE_NAME = /^[a-z][a-z0-9_]{0,29}$/
const DEFAULT_QUARANTINE_HOURS: Record<string, number> = { domain: 720, ipv4: 720, phone: 2160 }

function fail(path: string, what: string, value: unknown): never {
  throw new Error(`${path} must be ${what}, not ${JSON.stringify(value)}`)
}

function integerIn(path: string, value: unknown, min: number, max: number) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `a whole number from ${min} to ${max}`, value)
  }
  return value
}

function typeConfig(name: string, raw: unknown): ResourceTypeConfig {
  const path = `types.${name}`
  if (raw === undefined) raw = {}
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(path, 'an object', raw)
  const settings = raw as Record<string, unknown>
  const builtIn = (BUILT_IN_TYPES as readonly string[]).includes(name)
  const onRelease = settings.onRelease ?? 'quarantine'
  if (onRelease !== 'available' && onRelease !== 'quarantine') {
    fail(`${path}.onRelease`, "'available' or 'quarantine'", onRelease)
  }
  let pattern: RegExp | null = null
  if (!builtIn) {
    if (typeof settings.pattern !== 'string' || settings.pattern === '') {
      fail(
        `${path}.pattern`,
        'a regular expression (a string) that values of the type match',
        settings.pattern
      )
    }
    try {
      pattern = new RegExp(`^(?:${settings.pattern})$`)
    } catch {
      fail(`${path}.pattern`, 'a valid regular expression', settings.pattern)
    }
  } else if (settings.pattern !== undefined) {
    fail(`${path}.pattern`, 'left out (the built-in types have their own rules)', settings.pattern)
  }
  const label = settings.label ?? name
  if (typeof label !== 'string' || label.trim() === '') fail(`${path}.label`, 'a text', label)
  return {
    label,
    onRelease,
    quarantineHours: integerIn(
      `${path}.quarantineHours`,
      settings.quarantineHours ?? DEFAULT_QUARANTINE_HOURS[name] ?? 720,
      1,
      87_600
    ),
    lowWatermark: integerIn(`${path}.lowWatermark`, settings.lowWatermark ?? 10, 0, 1_000_000),
    pattern,
  }
}

/**
 * The settings of `resource-pools` (`settings['resource-pools']` in
 * config/plugins.ts), checked at boot:
 *
 * - `types`: per type `onRelease` ('quarantine', the default, or
 *   'available'), `quarantineHours` (domain and ipv4 720, phone 2160),
 *   `lowWatermark` (10); a type that is not built in needs a `pattern`
 *   and may have a `label`.
 * - `onReport`: 'flag' or 'replace' (default).
 * - `maxRangeSize`: 1 to 65536 addresses per CIDR range (default 1024).
 * - `phoneRegion`: e.g. 'DE' for numbers written nationally (default none).
 */
export function defineConfig(settings: Record<string, unknown>): ResourcePoolsConfig {
  const rawTypes = settings.types ?? {}
  if (typeof rawTypes !== 'object' || rawTypes === null || Array.isArray(rawTypes)) {
    fail('types', 'an object of type names', rawTypes)
  }
  const given = rawTypes as Record<string, unknown>
  const types: Record<string, ResourceTypeConfig> = {}
  for (const name of [...BUILT_IN_TYPES, ...Object.keys(given)]) {
    if (types[name]) continue
    if (!TYPE_NAME.test(name)) fail('a type name', 'snake_case, at most 30 characters', name)
    types[name] = typeConfig(name, given[name])
  }
  const onReport = settings.onReport ?? 'replace'
  if (onReport !== 'flag' && onReport !== 'replace') {
    fail('onReport', "'flag' or 'replace'", onReport)
  }
  const phoneRegion = settings.phoneRegion ?? null
  if (
    phoneRegion !== null &&
    (typeof phoneRegion !== 'string' || !/^[A-Z]{2}$/.test(phoneRegion))
  ) {
    fail('phoneRegion', 'a two-letter region code such as "DE", or null', phoneRegion)
  }
  return {
    types,
    onReport,
    maxRangeSize: integerIn('maxRangeSize', settings.maxRangeSize ?? 1024, 1, 65_536),
    phoneRegion: phoneRegion as string | null,
  }
}
