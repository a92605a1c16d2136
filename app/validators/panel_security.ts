import vine from '@vinejs/vine'
import type { HttpRequest } from '@adonisjs/core/http'
import { RULE_ACTIONS, type SecurityRuleName } from '#config/security'
import { SECURITY_EVENT_KINDS } from '#services/security/security_events'
import { readListState } from '#support/panel_list'

/**
 * The query strings and forms of the panel's security pages. A malformed
 * filter is ignored (the page still opens), as on every list.
 */
const ID = /^[1-9]\d{0,14}$/
/** A license key as typed, or part of one. */
const LICENSE = /^[A-Za-z0-9_-]{1,64}$/
/** An address or part of one (v4 or v6). */
const ADDRESS = /^[0-9a-fA-F.:]{1,45}$/

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const
export const RULE_NAMES = Object.keys(RULE_ACTIONS) as SecurityRuleName[]
/** Every action an admin may take from an alert page. */
export const ALERT_ACTIONS = ['block_ip', 'suspend_license', 'end_sessions'] as const

export async function readAlertList(request: HttpRequest) {
  return readListState(request, {
    sortable: ['opened_at', 'last_seen_at', 'evidence_count'] as const,
    defaultSort: 'last_seen_at',
    defaultDir: 'desc',
    filters: { status: ALERT_STATUSES, rule: RULE_NAMES, product_id: ID, license: LICENSE },
  })
}

export async function readEventList(request: HttpRequest) {
  return readListState(request, {
    sortable: ['at'] as const,
    defaultSort: 'at',
    defaultDir: 'desc',
    filters: { kind: SECURITY_EVENT_KINDS, product_id: ID, license: LICENSE, ip: ADDRESS },
  })
}

export const alertActionValidator = vine.create({
  action: vine.enum(ALERT_ACTIONS),
})

/** A number field left empty means "as the install says" (null). */
const optionalWhole = (min: number, max: number) =>
  vine.number().withoutDecimals().min(min).max(max).optional().nullable()

/** One rule's override on a product's security page. */
export const ruleOverrideValidator = vine.create({
  rule: vine.enum(RULE_NAMES),
  /** `inherit`, `on` or `off`. */
  enabled: vine.enum(['inherit', 'on', 'off'] as const),
  threshold: optionalWhole(1, 100_000),
  window_minutes: optionalWhole(1, 10_080),
  /** `inherit` keeps the install's actions; otherwise the boxes ticked (none: no action). */
  actions_mode: vine.enum(['inherit', 'custom'] as const),
  actions: vine.array(vine.enum(ALERT_ACTIONS)).maxLength(3).optional(),
})
