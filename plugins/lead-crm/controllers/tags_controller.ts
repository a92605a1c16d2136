import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { adminActor, redirectWithRefusal } from '#plugin_host/api'
import LeadQueries from '../services/lead_queries.js'
import TagService from '../services/tag_service.js'
import { tagValidator } from '../validators.js'

/** Tags and their colours. */
@inject()
export default class TagsController {
  constructor(
    protected tags: TagService,
    protected queries: LeadQueries
  ) {}

  async index({ view }: HttpContext) {
    return view.render('lead-crm::tags', { tags: await this.queries.tagsWithUsage() })
  }

  async store(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(tagValidator)
    try {
      await this.tags.create(form, adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('lead_crm.tag_saved'))
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.leads.tags'))
    }
    return ctx.response.redirect().toRoute('admin.leads.tags')
  }

  async update(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(tagValidator)
    try {
      const found = await this.tags.update(Number(ctx.params.tag), form, adminActor(ctx))
      if (!found) throw new lucidErrors.E_ROW_NOT_FOUND()
      ctx.session.flash('success', ctx.i18n.t('lead_crm.tag_saved'))
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.leads.tags'))
    }
    return ctx.response.redirect().toRoute('admin.leads.tags')
  }

  async destroy(ctx: HttpContext) {
    const found = await this.tags.destroy(Number(ctx.params.tag), adminActor(ctx))
    if (!found) throw new lucidErrors.E_ROW_NOT_FOUND()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.tag_deleted'))
    return ctx.response.redirect().toRoute('admin.leads.tags')
  }
}
