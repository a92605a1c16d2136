import vine from '@vinejs/vine'
import { IANAZone } from 'luxon'
import type { MeterInput } from '#services/catalogue/meter_catalogue'
import type { TemplateInput } from '#services/catalogue/license_templates'
import { LICENSE_TYPE_PATTERN } from '#support/license_duration'

/**
 * A product's catalogue (entitlements, meters, license templates), as the
 * panel's forms and the ace commands send it. Codes are what clients name,
 * so they follow the database's own format check (migration 0010) and never
 * change once created.
 */
export const CATALOGUE_CODE = /^[a-z][a-z0-9_]{0,59}$/

/** The largest limit a meter takes: `bigint` in the database, exact in a JS number. */
export const MAX_METER_LIMIT = Number.MAX_SAFE_INTEGER

export const METER_PERIODS = ['none', 'hour', 'day', 'month', 'year', 'rolling'] as const
export const OVERAGE_POLICIES = ['deny', 'allow', 'tolerance'] as const

/** The three license columns a license may keep apart from its template. */
export const TEMPLATE_FIELDS = ['max_devices', 'max_sessions', 'session_policy'] as const
export type TemplateField = (typeof TEMPLATE_FIELDS)[number]

const code = () => vine.string().trim().regex(CATALOGUE_CODE)
const name = () => vine.string().trim().minLength(1).maxLength(120)
const description = () => vine.string().trim().maxLength(2000).optional()

/** An IANA time zone Luxon knows (`Europe/Berlin`, `UTC`). */
const ianaZone = vine.createRule((value, _options, field) => {
  if (typeof value === 'string' && !IANAZone.isValidZone(value)) {
    field.report('The {{ field }} field must be an IANA time zone', 'timeZone', field)
  }
})

export const entitlementCreateValidator = vine.create({
  code: code(),
  name: name(),
  description: description(),
})

export const entitlementUpdateValidator = vine.create({
  name: name(),
  description: description(),
})

const meterSettings = {
  name: name(),
  description: description(),
  period: vine.enum(METER_PERIODS),
  /** A rolling window from a minute to 366 days. */
  rolling_seconds: vine
    .number()
    .withoutDecimals()
    .range([60, 31_622_400])
    .optional()
    .requiredWhen('period', '=', 'rolling'),
  time_zone: vine.string().trim().maxLength(64).use(ianaZone()).optional(),
  /** Empty: unlimited unless a template or the license sets a limit. */
  default_limit: vine.number().withoutDecimals().range([0, MAX_METER_LIMIT]).optional(),
  overage: vine.enum(OVERAGE_POLICIES),
  tolerance_percent: vine
    .number()
    .withoutDecimals()
    .range([1, 1000])
    .optional()
    .requiredWhen('overage', '=', 'tolerance'),
}

export const meterCreateValidator = vine.create({ code: code(), ...meterSettings })
export const meterUpdateValidator = vine.create(meterSettings)

/** A meter's validated settings (panel form or meter:create) as MeterCatalogue takes them. */
export const meterInputOf = (
  input: Awaited<ReturnType<typeof meterUpdateValidator.validate>>
): MeterInput => ({
  name: input.name,
  description: input.description ?? null,
  period: input.period,
  rollingSeconds: input.rolling_seconds ?? null,
  timeZone: input.time_zone ?? null,
  defaultLimit: input.default_limit ?? null,
  overage: input.overage,
  tolerancePercent: input.tolerance_percent ?? null,
})

/**
 * A template's limit of one meter: the meter's default (no row), a limit,
 * or unlimited.
 */
const meterLimit = vine.object({
  mode: vine.enum(['default', 'limited', 'unlimited']),
  limit: vine
    .number()
    .withoutDecimals()
    .range([0, MAX_METER_LIMIT])
    .optional()
    .requiredWhen('mode', '=', 'limited'),
})

export const templateValidator = vine.create({
  name: name(),
  description: description(),
  type: vine.string().trim().toLowerCase().regex(LICENSE_TYPE_PATTERN),
  expiry_basis: vine.enum(['creation', 'first_activation']),
  max_devices: vine.number().withoutDecimals().range([1, 10]),
  max_sessions: vine.number().withoutDecimals().range([1, 10]),
  session_policy: vine
    .string()
    .trim()
    .maxLength(60)
    .regex(/^[a-z][a-z0-9-]*$/)
    .optional(),
  /** Codes of the product's entitlements. */
  entitlements: vine.array(code()).maxLength(500).optional(),
  /** Per meter code. */
  meters: vine.record(meterLimit).optional(),
})

/**
 * A validated template (panel form or template:create) as LicenseTemplates
 * takes it: its meter rows (`meters[code][mode]`, `[limit]`) as the
 * template's limits by code, leaving out those that keep the meter's default.
 */
export const templateInputOf = (
  input: Awaited<ReturnType<typeof templateValidator.validate>>
): TemplateInput => ({
  name: input.name,
  description: input.description ?? null,
  type: input.type,
  expiryBasis: input.expiry_basis,
  maxDevices: input.max_devices,
  maxSessions: input.max_sessions,
  sessionPolicy: input.session_policy ?? null,
  entitlements: input.entitlements ?? [],
  meters: Object.fromEntries(
    Object.entries(input.meters ?? {})
      .filter(([, row]) => row.mode !== 'default')
      .map(([meter, row]) => [meter, row.mode === 'unlimited' ? null : (row.limit ?? null)])
  ),
})
