import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import CustomerService, { CustomerEmailTakenError } from '#services/customer_service'
import { effectiveStatusSql } from '#services/license_admin_service'
import { Clock } from '#support/clock'
import { PanelExtensions } from '#services/panel_extensions'
import { adminActor } from '#support/actor'
import { likePattern, paginate, readListState } from '#support/panel_list'
import { customerValidator } from '#validators/panel_customers'

/** How many customers the autocomplete offers at most. */
const SUGGESTIONS = 10

/** Narrows a customers query to names, emails or companies containing `term`. */
function matching<Query extends { where(callback: (where: any) => void): Query }>(
  query: Query,
  term: string
) {
  const pattern = likePattern(term)
  return query.where((where) =>
    where
      .whereILike('name', pattern)
      .orWhereILike('email', pattern)
      .orWhereILike('company', pattern)
  )
}

/** Sortable columns of a customer's license list, as SQL. */
const LICENSE_SORTS = {
  created_at: 'l.created_at',
  key: 'l.key',
  type: 'l.type',
  status: 'status',
  expires_at: 'l.expires_at',
} as const

/**
 * Customers: the people and companies licenses are sold to.
 */
@inject()
export default class CustomersController {
  constructor(
    protected clock: Clock,
    protected extensions: PanelExtensions
  ) {}

  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['name', 'email', 'company', 'created_at', 'licenses'] as const,
      defaultSort: 'name',
      defaultDir: 'asc',
      filters: { licenses: ['with', 'without'] },
    })
    const query = Customer.query()
      .withCount('licenses')
      .orderByRaw(
        `${list.sort === 'licenses' ? 'licenses_count' : list.sort} ${list.dir} NULLS LAST`
      )
      .orderBy('id', 'asc')
    if (list.q) matching(query, list.q)
    if (list.filters.licenses === 'with') query.whereHas('licenses', () => {})
    if (list.filters.licenses === 'without') query.whereDoesntHave('licenses', () => {})
    return view.render('pages/customers/index', { list, page: await paginate(query, list) })
  }

  /**
   * Autocomplete (JSON): up to 10 customers whose name, email or company
   * contains the term, or whose id it is.
   */
  async suggest({ request }: HttpContext) {
    const term = String(request.qs().q ?? '')
      .trim()
      .slice(0, 100)
    if (!term) return []
    const query = db.from('customers')
    query.where((where) => {
      matching(where, term)
      if (/^\d{1,9}$/.test(term)) where.orWhere('id', Number(term))
    })
    return query
      .orderByRaw('lower(name)')
      .orderBy('id')
      .limit(SUGGESTIONS)
      .select('id', 'name', 'email')
  }

  async create({ view }: HttpContext) {
    return view.render('pages/customers/form', { customer: null })
  }

  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(customerValidator)
    try {
      const customer = await CustomerService.create(input, adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('customers.created', { name: customer.name }))
      return ctx.response.redirect(`/admin/customers/${customer.id}`)
    } catch (error) {
      return this.emailTaken(ctx, error, '/admin/customers/new')
    }
  }

  async show({ view, params, request, i18n }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const now = this.clock.now().toJSDate()
    const list = await readListState(request, {
      sortable: Object.keys(LICENSE_SORTS) as (keyof typeof LICENSE_SORTS)[],
      defaultSort: 'created_at',
    })
    const licenses = db
      .from('licenses as l')
      .join('products as p', 'p.id', 'l.product_id')
      .where('l.customer_id', customer.id)
      .select(
        'l.id',
        'l.key',
        'l.type',
        'l.expires_at',
        'l.max_devices',
        'l.max_sessions',
        'p.name as product_name',
        effectiveStatusSql('l', now),
        db.raw(
          '(SELECT count(*) FROM devices d WHERE d.license_id = l.id AND d.active) AS devices'
        ),
        db.raw(
          '(SELECT count(*) FROM license_sessions s WHERE s.license_id = l.id AND s.expires_at > ?) AS online',
          [now]
        )
      )
      .orderByRaw(`${LICENSE_SORTS[list.sort]} ${list.dir} NULLS LAST`)
      .orderBy('l.id', list.dir)
    return view.render('pages/customers/show', {
      customer,
      list,
      page: await paginate(licenses, list),
      figures: await CustomerService.figures(customer.id, now),
      links: await this.extensions.customerLinks(customer.id, (key, data) => i18n.t(key, data)),
    })
  }

  async edit({ view, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    return view.render('pages/customers/form', { customer })
  }

  async update(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(customerValidator)
    try {
      await CustomerService.update(customer, input, adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('customers.updated'))
      return ctx.response.redirect(`/admin/customers/${customer.id}`)
    } catch (error) {
      return this.emailTaken(ctx, error, `/admin/customers/${customer.id}/edit`)
    }
  }

  /** Asks first, and says what becomes of the customer's licenses. */
  async confirmDestroy({ view, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const figures = await CustomerService.figures(customer.id, this.clock.now().toJSDate())
    return view.render('pages/customers/delete', { customer, figures })
  }

  async destroy(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    const { licenses } = await CustomerService.delete(customer, adminActor(ctx))
    ctx.session.flash(
      'success',
      ctx.i18n.t('customers.deleted', { name: customer.name, count: licenses })
    )
    return ctx.response.redirect('/admin/customers')
  }

  protected emailTaken({ session, response, i18n }: HttpContext, error: unknown, back: string) {
    if (!(error instanceof CustomerEmailTakenError)) throw error
    session.flashAll()
    session.flashErrors({ email: i18n.t('customers.email_taken') })
    return response.redirect(back)
  }
}
