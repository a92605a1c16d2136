import vine from '@vinejs/vine'
import { MAX_VERSION_LENGTH, normalizeVersion } from './versions.js'

/**
 * A semantic version (see versions.ts), handed on in its canonical form.
 * The message is `validator.shared.messages.semver` in each language.
 */
const semver = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string') return
  const version = normalizeVersion(value)
  if (version === null) {
    field.report('The {{ field }} field must be a version number such as 1.4.2', 'semver', field)
    return
  }
  field.mutate(version, field)
})

export const versionRule = () => vine.string().trim().maxLength(MAX_VERSION_LENGTH).use(semver())

const productSlug = () =>
  vine
    .string()
    .trim()
    .toLowerCase()
    .maxLength(60)
    .regex(/^[a-z0-9][a-z0-9-]*$/)

export const versionCheckValidator = vine.create({
  version: versionRule(),
  product: productSlug().optional(),
})

export const versionLatestValidator = vine.create({
  product: productSlug().optional(),
})

/** Timeout at least twice the interval: one lost heartbeat must not end a session. */
const atLeastTwiceInterval = vine.createRule((value, _options, field) => {
  if (!field.isValid) return
  const interval = Number(field.parent.heartbeat_interval)
  if (Number.isFinite(interval) && Number(value) < 2 * interval) {
    field.report(
      'The {{ field }} field must be at least twice the heartbeat interval',
      'atLeastTwiceInterval',
      field
    )
  }
})

const message = () => vine.string().trim().maxLength(500).optional()

const configFields = () => ({
  client_name: vine.string().trim().minLength(1).maxLength(120),
  current_version: versionRule(),
  minimum_version: versionRule(),
  download_url: vine
    .string()
    .trim()
    .maxLength(2048)
    .url({ require_protocol: true, protocols: ['http', 'https'] })
    .optional(),
  whats_new: vine.string().trim().maxLength(20000).optional(),
  heartbeat_interval: vine.number().withoutDecimals().range([5, 3600]),
  session_timeout: vine.number().withoutDecimals().range([10, 86400]).use(atLeastTwiceInterval()),
  session_limit_message_en: message(),
  session_limit_message_de: message(),
  require_version: vine.boolean().optional(),
})

export const clientConfigValidator = vine.create(configFields())

export const clientConfigCreateValidator = vine.create({
  product_id: vine.number().withoutDecimals().range([1, 2_147_483_647]),
  ...configFields(),
})
