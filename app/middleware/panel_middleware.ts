import { urlFor } from '@adonisjs/core/services/url_builder'
import { inject } from '@adonisjs/core'
import { I18n } from '@adonisjs/i18n'
import i18nManager from '@adonisjs/i18n/services/main'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import panelConfig from '#config/panel'
import PluginHost from '#plugin_host/plugin_host'
import { activeEntry, coreNavigation } from '#support/panel_navigation'

/**
 * Every panel page: an admin must be logged in (others go to the login
 * form), the page speaks the admin's language, and the layout gets the menu
 * of the core and of the enabled plugins. Pages are never cached: they show
 * live business data to one person.
 */
@inject()
export default class PanelMiddleware {
  constructor(protected host: PluginHost) {}

  async handle(ctx: HttpContext, next: NextFn) {
    await ctx.auth.authenticateUsing(['web'], { loginRoute: urlFor('admin.auth.show_login') })
    const admin = ctx.auth.getUserOrFail()

    ctx.i18n = i18nManager.locale(admin.locale)
    ctx.containerResolver.bindValue(I18n, ctx.i18n)

    const path = ctx.request.url()
    if (
      panelConfig.requireTwoFactor &&
      !admin.twoFactorEnabled &&
      !path.startsWith('/admin/account')
    ) {
      ctx.session.flash('error', ctx.i18n.t('panel.two_factor.required'))
      return ctx.response.redirect().toRoute('admin.account.show_two_factor')
    }

    const navigation = [...coreNavigation(), ...this.host.navigation()].filter(
      (item) => !item.ownerOnly || admin.isOwner
    )
    ctx.view.share({
      i18n: ctx.i18n,
      admin,
      navigation,
      activeHref: activeEntry(navigation, path),
      currentPath: path,
    })
    ctx.response.header('Cache-Control', 'no-store')
    return next()
  }
}
