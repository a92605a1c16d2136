import type { HttpContext } from '@adonisjs/core/http'
import ApiKey from '#models/api_key'
import ApiKeyService from '#services/api_key_service'
import { adminActor } from '#support/actor'
import { likePattern, paginate, readListState } from '#support/panel_list'
import { apiKeyCreateValidator } from '#validators/panel_api_keys'

/**
 * The client API keys. A key exists in clear only in the response that
 * creates it; afterwards the panel knows its hint alone.
 */
export default class ApiKeysController {
  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['name', 'created_at', 'last_used_at'] as const,
      defaultSort: 'created_at',
      defaultDir: 'desc',
      filters: { status: ['active', 'revoked'] },
    })
    const query = ApiKey.query()
    if (list.sort === 'last_used_at') {
      query.orderByRaw(`last_used_at ${list.dir} NULLS LAST`)
    } else {
      query.orderBy(list.sort, list.dir)
    }
    query.orderBy('id', list.dir)
    if (list.q) {
      query.where((where) =>
        where.whereILike('name', likePattern(list.q)).orWhereILike('key_hint', likePattern(list.q))
      )
    }
    if (list.filters.status === 'active') query.whereNull('revoked_at')
    if (list.filters.status === 'revoked') query.whereNotNull('revoked_at')
    return view.render('pages/api_keys/index', { list, page: await paginate(query, list) })
  }

  /**
   * Shows the new key in this response, never through the session: it is
   * rendered once and then exists only as a digest.
   */
  async store(ctx: HttpContext) {
    const { name } = await ctx.request.validateUsing(apiKeyCreateValidator)
    const { apiKey, plain } = await ApiKeyService.create(name, adminActor(ctx))
    ctx.response.header('Cache-Control', 'no-store')
    return ctx.view.render('pages/api_keys/created', { apiKey, plain })
  }

  async revoke(ctx: HttpContext) {
    const apiKey = await ApiKey.findOrFail(ctx.params.id)
    const wasRevoked = apiKey.revoked
    await ApiKeyService.revoke(apiKey.id, adminActor(ctx))
    ctx.session.flash(
      wasRevoked ? 'error' : 'success',
      ctx.i18n.t(wasRevoked ? 'api_keys.already_revoked' : 'api_keys.revoked', {
        name: apiKey.name,
      })
    )
    return ctx.response.redirect('/admin/api-keys')
  }
}
