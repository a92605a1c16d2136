import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type securityConfig from '#config/security'
import {
  LICENSE_RULES,
  RULE_ACTIONS,
  type AutomaticAction,
  type SecurityRule,
  type SecurityRuleName,
} from '#config/security'
import AuditTrail from '#services/audit_trail'
import type { RuleSettingsOf } from '#services/security/detectors'
import type { Actor } from '#support/actor'

/** A product's own setting of a rule; a null field keeps the install's. */
export interface RuleOverride {
  enabled: boolean | null
  threshold: number | null
  windowMinutes: number | null
  actions: AutomaticAction[] | null
}

export function installRules() {
  return app.config.get<typeof securityConfig>('security').rules
}

/** A rule's settings once a product's override (if any) is laid over the install's. */
export function effectiveRule(base: SecurityRule, override?: RuleOverride): SecurityRule {
  if (!override) return base
  return {
    ...base,
    enabled: override.enabled ?? base.enabled,
    threshold: override.threshold ?? base.threshold,
    windowMinutes: override.windowMinutes ?? base.windowMinutes,
    actions: override.actions ?? base.actions,
  }
}

type OverrideRow = {
  product_id: number
  rule: SecurityRuleName
  enabled: boolean | null
  threshold: number | null
  window_minutes: number | null
  actions: AutomaticAction[] | null
}

const toOverride = (row: OverrideRow): RuleOverride => ({
  enabled: row.enabled,
  threshold: row.threshold,
  windowMinutes: row.window_minutes,
  actions: row.actions,
})

/**
 * The detectors' rules in force: config/security.ts, with each product's
 * overrides of the rules about licenses (`security_rule_overrides`,
 * edited in the panel and audited).
 */
@inject()
export default class SecurityRules {
  constructor(protected audit: AuditTrail) {}

  /** The settings of every rule for every product, read once per detector run. */
  async settings(): Promise<{ settingsOf: RuleSettingsOf; longestWindowMinutes: number }> {
    const base = installRules()
    const rows: OverrideRow[] = await db.from('security_rule_overrides').select('*')
    const byProduct = new Map<string, RuleOverride>()
    for (const row of rows) byProduct.set(`${row.product_id}:${row.rule}`, toOverride(row))
    const settingsOf: RuleSettingsOf = (rule, productId) =>
      effectiveRule(
        base[rule],
        productId !== null && LICENSE_RULES.includes(rule)
          ? byProduct.get(`${productId}:${rule}`)
          : undefined
      )
    const windows = [
      ...Object.values(base).map((rule) => rule.windowMinutes),
      ...rows.map((row) => row.window_minutes ?? 0),
    ]
    return { settingsOf, longestWindowMinutes: Math.max(...windows) }
  }

  /** A product's overrides, by rule. */
  async overridesOf(productId: number) {
    const rows: OverrideRow[] = await db
      .from('security_rule_overrides')
      .where('product_id', productId)
      .select('*')
    return Object.fromEntries(rows.map((row) => [row.rule, toOverride(row)])) as Partial<
      Record<SecurityRuleName, RuleOverride>
    >
  }

  /**
   * Replaces a product's override of one rule (all fields null: removes it),
   * with an audit row of before and after. Actions a rule cannot take are
   * refused by the validator before this.
   */
  async saveOverride(
    productId: number,
    rule: SecurityRuleName,
    override: RuleOverride,
    actor: Actor
  ) {
    const actions =
      override.actions?.filter((action) => RULE_ACTIONS[rule].includes(action)) ?? null
    const next = { ...override, actions }
    const empty = Object.values(next).every((value) => value === null)
    return db.transaction(async (trx) => {
      const previous: OverrideRow | undefined = await trx
        .from('security_rule_overrides')
        .where({ product_id: productId, rule })
        .forUpdate()
        .first()
      if (empty) {
        await trx.from('security_rule_overrides').where({ product_id: productId, rule }).delete()
      } else {
        await trx
          .table('security_rule_overrides')
          .insert({
            product_id: productId,
            rule,
            enabled: next.enabled,
            threshold: next.threshold,
            window_minutes: next.windowMinutes,
            actions: next.actions,
            updated_at: new Date(),
          })
          .onConflict(['product_id', 'rule'])
          .merge()
      }
      await this.audit.record(trx, actor, {
        action: 'product.security_rule_changed',
        subjectType: 'product',
        subjectId: productId,
        before: previous ? { rule, ...toOverride(previous) } : { rule },
        after: empty ? { rule } : { rule, ...next },
      })
    })
  }
}
