import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { adminActor, readListState, redirectWithRefusal } from '#plugin_host/api'
import InstitutionService, { type InstitutionFields } from '../services/institution_service.js'
import LeadQueries, { LEAD_FILTERS, LEAD_SORTS, type LeadSort } from '../services/lead_queries.js'
import { activityValidator, institutionValidator } from '../validators.js'

type InstitutionForm = Awaited<ReturnType<typeof institutionValidator.validate>>

function fieldsFrom(form: InstitutionForm): InstitutionFields {
  return {
    name: form.name,
    type: form.type ?? null,
    address: form.address ?? null,
    website: form.website ?? null,
    status: form.status,
    owner_id: form.owner_id ?? null,
    tags: form.tags ?? [],
  }
}

/**
 * Institutions: the overview with its filters, the forms, the institution
 * page with contacts, notes and timeline, and the conversion of a won
 * institution into a customer.
 */
@inject()
export default class InstitutionsController {
  constructor(
    protected institutions: InstitutionService,
    protected queries: LeadQueries
  ) {}

  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: Object.keys(LEAD_SORTS) as LeadSort[],
      defaultSort: 'updated_at',
      filters: LEAD_FILTERS,
    })
    return view.render('lead-crm::index', { list, ...(await this.queries.overview(list)) })
  }

  async create({ view }: HttpContext) {
    return view.render('lead-crm::form', {
      institution: null,
      selectedTags: [],
      ...(await this.queries.formChoices()),
    })
  }

  async store(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(institutionValidator)
    try {
      const id = await this.institutions.create(fieldsFrom(form), adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('lead_crm.created', { name: form.name }))
      return ctx.response.redirect().toRoute('admin.leads.show', { id })
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.leads.create'))
    }
  }

  async show({ view, params }: HttpContext) {
    return view.render('lead-crm::show', await this.queries.institutionPage(params.id))
  }

  async edit({ view, params }: HttpContext) {
    return view.render('lead-crm::form', await this.queries.editForm(params.id))
  }

  async update(ctx: HttpContext) {
    const institution = await this.queries.find(ctx.params.id)
    const form = await ctx.request.validateUsing(institutionValidator)
    try {
      const changed = await this.institutions.update(
        institution.id,
        fieldsFrom(form),
        adminActor(ctx)
      )
      ctx.session.flash(
        'success',
        ctx.i18n.t(changed?.length ? 'lead_crm.updated' : 'lead_crm.unchanged')
      )
      return ctx.response.redirect().toRoute('admin.leads.show', { id: institution.id })
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.leads.edit', { id: institution.id }))
    }
  }

  async confirmDestroy({ view, params }: HttpContext) {
    return view.render('lead-crm::delete', await this.queries.deletion(params.id))
  }

  async destroy(ctx: HttpContext) {
    const institution = await this.queries.find(ctx.params.id)
    await this.institutions.destroy(institution.id, adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('lead_crm.deleted', { name: institution.name }))
    return ctx.response.redirect().toRoute('admin.leads.index')
  }

  async convert(ctx: HttpContext) {
    const institution = await this.queries.find(ctx.params.id)
    const page = urlFor('admin.leads.show', { id: institution.id })
    try {
      const customer = await this.institutions.convert(institution.id, adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('lead_crm.converted', { name: customer!.name }))
    } catch (error) {
      return redirectWithRefusal(ctx, error, page)
    }
    return ctx.response.redirect(page)
  }

  async logActivity(ctx: HttpContext) {
    const institution = await this.queries.find(ctx.params.id)
    const form = await ctx.request.validateUsing(activityValidator)
    await this.institutions.logActivity(
      institution.id,
      {
        kind: form.kind,
        summary: form.summary ?? null,
        occurredAt: form.occurred_at ?? new Date(),
      },
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t('lead_crm.activity_logged'))
    return ctx.response.redirect(`${urlFor('admin.leads.show', { id: institution.id })}#timeline`)
  }
}
