import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { adminActor } from '#support/actor'
import TagService, { TagNameTakenError } from '../services/tag_service.js'
import { tagValidator } from '../validators.js'

/** Tags and their colours. */
export default class TagsController {
  async index({ view }: HttpContext) {
    const tags = await db
      .from('lead_crm_tags as t')
      .leftJoin('lead_crm_institution_tags as it', 'it.tag_id', 't.id')
      .groupBy('t.id')
      .select('t.id', 't.name', 't.color')
      .count('it.institution_id as institutions')
      .orderByRaw('lower(t.name)')
    return view.render('lead-crm::tags', { tags })
  }

  async store(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(tagValidator)
    try {
      await TagService.create(form, adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('lead_crm.tag_saved'))
    } catch (error) {
      return this.nameTaken(ctx, error)
    }
    return ctx.response.redirect('/leads/tags')
  }

  async update(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(tagValidator)
    try {
      const found = await TagService.update(Number(ctx.params.tag), form, adminActor(ctx))
      if (!found) throw new lucidErrors.E_ROW_NOT_FOUND()
      ctx.session.flash('success', ctx.i18n.t('lead_crm.tag_saved'))
    } catch (error) {
      return this.nameTaken(ctx, error)
    }
    return ctx.response.redirect('/leads/tags')
  }

  async destroy(ctx: HttpContext) {
    const found = await TagService.destroy(Number(ctx.params.tag), adminActor(ctx))
    if (!found) throw new lucidErrors.E_ROW_NOT_FOUND()
    ctx.session.flash('success', ctx.i18n.t('lead_crm.tag_deleted'))
    return ctx.response.redirect('/leads/tags')
  }

  protected nameTaken({ session, response, i18n }: HttpContext, error: unknown) {
    if (!(error instanceof TagNameTakenError)) throw error
    session.flashAll()
    session.flashErrors({ name: i18n.t('lead_crm.errors.tag_name_taken') })
    return response.redirect('/leads/tags')
  }
}
