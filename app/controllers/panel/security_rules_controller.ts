import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { LICENSE_RULES, RULE_ACTIONS } from '#config/security'
import Product from '#models/product'
import SecurityRules, { installRules } from '#services/security/security_rules'
import { adminActor } from '#support/actor'
import { ruleOverrideValidator } from '#validators/panel_security'

/**
 * A product's own settings of the detectors' rules about licenses; the
 * install's (config/security.ts) are shown beside them.
 */
@inject()
export default class SecurityRulesController {
  constructor(protected rules: SecurityRules) {}

  async edit({ view, params }: HttpContext) {
    const product = await Product.findOrFail(params.id)
    return view.render('pages/security/rules', {
      product,
      rules: LICENSE_RULES,
      install: installRules(),
      ruleActions: RULE_ACTIONS,
      overrides: await this.rules.overridesOf(product.id),
    })
  }

  async update(ctx: HttpContext) {
    const product = await Product.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(ruleOverrideValidator)
    const back = urlFor('admin.security_rules.edit', { id: product.id })
    if (!LICENSE_RULES.includes(input.rule)) return ctx.response.redirect(back)
    await this.rules.saveOverride(
      product.id,
      input.rule,
      {
        enabled: input.enabled === 'inherit' ? null : input.enabled === 'on',
        threshold: input.threshold ?? null,
        windowMinutes: input.window_minutes ?? null,
        actions: input.actions_mode === 'inherit' ? null : (input.actions ?? []),
      },
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t('security.rules.saved'))
    return ctx.response.redirect(back)
  }
}
