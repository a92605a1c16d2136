import vine from '@vinejs/vine'
import { ACTIVITY_KINDS, STATUSES } from './services/constants.js'

export const optionalText = (max: number) => vine.string().trim().maxLength(max).optional()

/** An http(s) address: a `javascript:` link must never reach a page. */
export const websiteRule = () =>
  vine
    .string()
    .trim()
    .maxLength(2048)
    .url({ require_protocol: true, protocols: ['http', 'https'] })

export const emailRule = () => vine.string().trim().toLowerCase().email().maxLength(254)
const id = () => vine.number().withoutDecimals().range([1, 2_147_483_647])

export const institutionValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(200),
  type: optionalText(60),
  address: optionalText(500),
  website: websiteRule().optional(),
  status: vine.enum(STATUSES),
  owner_id: id().optional(),
  tags: vine.array(id()).maxLength(50).optional(),
})

export const contactValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(200),
  role: optionalText(120),
  email: emailRule().optional(),
  phone: optionalText(60),
})

export const noteValidator = vine.create({
  body: vine.string().trim().minLength(1).maxLength(20000),
})

export const activityValidator = vine.create({
  kind: vine.enum(ACTIVITY_KINDS),
  summary: optionalText(5000),
  occurred_at: vine.date({ formats: ['YYYY-MM-DDTHH:mm', 'YYYY-MM-DD'] }).optional(),
})

export const tagValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(60),
  color: vine
    .string()
    .trim()
    .toLowerCase()
    .regex(/^#[0-9a-f]{6}$/),
})

export const restoreValidator = vine.create({
  version: id(),
})
