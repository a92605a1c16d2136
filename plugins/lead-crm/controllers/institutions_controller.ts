import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { adminActor } from '#support/actor'
import { paginate, readListState } from '#support/panel_list'
import InstitutionService, {
  ACTIVITY_KINDS,
  LeadRuleError,
  STATUSES,
  tagsOf,
  type InstitutionFields,
} from '../services/institution_service.js'
import TagService from '../services/tag_service.js'
import { filteredInstitutions, LEAD_FILTERS, tagsByInstitution } from '../services/lead_queries.js'
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

const SORTS = {
  name: 'lower(i.name)',
  status: 'i.status',
  updated_at: 'i.updated_at',
  created_at: 'i.created_at',
} as const

/** What the forms and filters offer: admins (as owners) and tags. */
async function choices() {
  const [owners, tags] = await Promise.all([
    db.from('admin_users').select('id', 'email', 'full_name').orderBy('email'),
    TagService.all(),
  ])
  return { owners, tags, statuses: STATUSES }
}

/**
 * Institutions: the overview with its filters, the forms, the institution
 * page with contacts, notes and timeline, and the conversion of a won
 * institution into a customer.
 */
export default class InstitutionsController {
  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: Object.keys(SORTS) as (keyof typeof SORTS)[],
      defaultSort: 'updated_at',
      filters: LEAD_FILTERS,
    })
    const query = filteredInstitutions({ q: list.q, ...list.filters })
      .leftJoin('admin_users as a', 'a.id', 'i.owner_id')
      .select(
        'i.id',
        'i.name',
        'i.type',
        'i.status',
        'i.customer_id',
        'i.updated_at',
        'a.email as owner_email',
        db.raw(
          '(SELECT count(*) FROM lead_crm_contacts c WHERE c.institution_id = i.id) AS contacts'
        )
      )
      .orderByRaw(`${SORTS[list.sort]} ${list.dir}`)
      .orderBy('i.id', list.dir)
    const page = await paginate<any>(query, list)
    const tags = await tagsByInstitution(page.rows.map((row) => row.id))
    return view.render('lead-crm::index', {
      list,
      page: { ...page, rows: page.rows.map((row) => ({ ...row, tags: tags.get(row.id) ?? [] })) },
      ...(await choices()),
    })
  }

  async create({ view }: HttpContext) {
    return view.render('lead-crm::form', {
      institution: null,
      selectedTags: [],
      ...(await choices()),
    })
  }

  async store(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(institutionValidator)
    try {
      const id = await InstitutionService.create(fieldsFrom(form), adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('lead_crm.created', { name: form.name }))
      return ctx.response.redirect(`/leads/${id}`)
    } catch (error) {
      return this.refused(ctx, error)
    }
  }

  async show({ view, params }: HttpContext) {
    const institution = await this.find(params.id)
    const [contacts, notes, activities, tags, customer] = await Promise.all([
      db.from('lead_crm_contacts').where('institution_id', institution.id).orderBy('id'),
      db
        .from('lead_crm_notes')
        .where('institution_id', institution.id)
        .orderBy('updated_at', 'desc')
        .orderBy('id', 'desc'),
      db
        .from('lead_crm_activities')
        .where('institution_id', institution.id)
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(200),
      tagsByInstitution([institution.id]),
      institution.customer_id
        ? db.from('customers').where('id', institution.customer_id).select('id', 'name').first()
        : null,
    ])
    return view.render('lead-crm::show', {
      institution,
      contacts,
      notes,
      activities,
      tags: tags.get(institution.id) ?? [],
      customer,
      activityKinds: ACTIVITY_KINDS,
    })
  }

  async edit({ view, params }: HttpContext) {
    const institution = await this.find(params.id)
    return view.render('lead-crm::form', {
      institution,
      selectedTags: await tagsOf(db.connection(), institution.id),
      ...(await choices()),
    })
  }

  async update(ctx: HttpContext) {
    const institution = await this.find(ctx.params.id)
    const form = await ctx.request.validateUsing(institutionValidator)
    try {
      const changed = await InstitutionService.update(
        institution.id,
        fieldsFrom(form),
        adminActor(ctx)
      )
      ctx.session.flash(
        'success',
        ctx.i18n.t(changed?.length ? 'lead_crm.updated' : 'lead_crm.unchanged')
      )
      return ctx.response.redirect(`/leads/${institution.id}`)
    } catch (error) {
      return this.refused(ctx, error)
    }
  }

  async confirmDestroy({ view, params }: HttpContext) {
    const institution = await this.find(params.id)
    const [counts] = await db
      .rawQuery(
        `SELECT (SELECT count(*) FROM lead_crm_contacts WHERE institution_id = ?) AS contacts,
              (SELECT count(*) FROM lead_crm_notes WHERE institution_id = ?) AS notes,
              (SELECT count(*) FROM lead_crm_activities WHERE institution_id = ?) AS activities`,
        [institution.id, institution.id, institution.id]
      )
      .then((result) => result.rows)
    return view.render('lead-crm::delete', { institution, counts })
  }

  async destroy(ctx: HttpContext) {
    const institution = await this.find(ctx.params.id)
    await InstitutionService.destroy(institution.id, adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('lead_crm.deleted', { name: institution.name }))
    return ctx.response.redirect('/leads')
  }

  async convert(ctx: HttpContext) {
    const institution = await this.find(ctx.params.id)
    try {
      const customer = await InstitutionService.convert(institution.id, adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('lead_crm.converted', { name: customer!.name }))
    } catch (error) {
      if (!(error instanceof LeadRuleError)) throw error
      ctx.session.flash('error', ctx.i18n.t(`lead_crm.errors.${error.reason}`))
    }
    return ctx.response.redirect(`/leads/${institution.id}`)
  }

  async logActivity(ctx: HttpContext) {
    const institution = await this.find(ctx.params.id)
    const form = await ctx.request.validateUsing(activityValidator)
    await InstitutionService.logActivity(
      institution.id,
      {
        kind: form.kind,
        summary: form.summary ?? null,
        occurredAt: form.occurred_at ?? new Date(),
      },
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t('lead_crm.activity_logged'))
    return ctx.response.redirect(`/leads/${institution.id}#timeline`)
  }

  protected async find(id: unknown) {
    const institution = await db
      .from('lead_crm_institutions as i')
      .leftJoin('admin_users as a', 'a.id', 'i.owner_id')
      .where('i.id', Number(id))
      .select('i.*', 'a.email as owner_email')
      .first()
    if (!institution) throw new lucidErrors.E_ROW_NOT_FOUND()
    return institution
  }

  protected refused({ session, response, i18n }: HttpContext, error: unknown) {
    if (!(error instanceof LeadRuleError)) throw error
    session.flashAll()
    session.flashErrors({ [error.field]: i18n.t(`lead_crm.errors.${error.reason}`) })
    return response.redirect().back()
  }
}
