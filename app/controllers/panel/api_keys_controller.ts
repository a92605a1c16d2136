import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import ApiKeyList from '#services/api_key_list'
import ApiKeyService from '#services/api_key_service'
import { adminActor } from '#support/actor'
import { apiKeyCreateValidator } from '#validators/panel_api_keys'

/**
 * The client API keys. A key exists in clear only in the response that
 * creates it; afterwards the panel knows its hint alone.
 */
@inject()
export default class ApiKeysController {
  constructor(
    protected apiKeys: ApiKeyService,
    protected lists: ApiKeyList
  ) {}

  async index({ view, request }: HttpContext) {
    return view.render('pages/api_keys/index', await this.lists.page(request))
  }

  /**
   * Shows the new key in this response, never through the session: it is
   * rendered once and then exists only as a digest.
   */
  async store(ctx: HttpContext) {
    const { name } = await ctx.request.validateUsing(apiKeyCreateValidator)
    const { apiKey, plain } = await this.apiKeys.create(name, adminActor(ctx))
    ctx.response.header('Cache-Control', 'no-store')
    return ctx.view.render('pages/api_keys/created', { apiKey, plain })
  }

  async revoke(ctx: HttpContext) {
    const apiKey = await this.apiKeys.find(ctx.params.id)
    const wasRevoked = apiKey.revoked
    await this.apiKeys.revoke(apiKey.id, adminActor(ctx))
    ctx.session.flash(
      wasRevoked ? 'error' : 'success',
      ctx.i18n.t(wasRevoked ? 'api_keys.already_revoked' : 'api_keys.revoked', {
        name: apiKey.name,
      })
    )
    return ctx.response.redirect().toRoute('admin.api_keys.index')
  }
}
