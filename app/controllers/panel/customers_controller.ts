import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import CustomerService, { CustomerEmailTakenError } from '#services/customer_service'
import { Clock } from '#support/clock'
import { adminActor } from '#support/actor'
import { likePattern, paginate, readListState } from '#support/panel_list'
import { customerValidator } from '#validators/panel_customers'

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

/**
 * Customers: the people and companies licenses are sold to.
 */
@inject()
export default class CustomersController {
  constructor(protected clock: Clock) {}

  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['name', 'email', 'company', 'created_at', 'licenses'] as const,
      defaultSort: 'name',
      defaultDir: 'asc',
    })
    const query = Customer.query()
      .withCount('licenses')
      .orderBy(list.sort === 'licenses' ? 'licenses_count' : list.sort, list.dir)
      .orderBy('id', 'asc')
    if (list.q) matching(query, list.q)
    return view.render('pages/customers/index', { list, page: await paginate(query, list) })
  }

  /** Autocomplete: up to 10 customers whose name, email or company match. */
  async suggest({ request }: HttpContext) {
    const term = String(request.qs().q ?? '')
      .trim()
      .slice(0, 100)
    if (!term) return []
    const rows = await matching(db.from('customers'), term)
      .orderBy('name')
      .limit(10)
      .select('id', 'name', 'email')
    return rows
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

  async show({ view, params }: HttpContext) {
    const customer = await Customer.findOrFail(params.id)
    const now = this.clock.now().toJSDate()
    const licenses = await db
      .from('licenses as l')
      .join('products as p', 'p.id', 'l.product_id')
      .where('l.customer_id', customer.id)
      .select(
        'l.id',
        'l.key',
        'l.type',
        'l.status',
        'l.expires_at',
        'l.max_devices',
        'l.max_sessions',
        'p.name as product_name',
        db.raw(
          '(SELECT count(*) FROM devices d WHERE d.license_id = l.id AND d.active) AS devices'
        ),
        db.raw(
          '(SELECT count(*) FROM license_sessions s WHERE s.license_id = l.id AND s.expires_at > ?) AS online',
          [now]
        )
      )
      .orderBy('l.created_at', 'desc')
      .limit(500)
    const figures = {
      licenses: licenses.length,
      active: licenses.filter((row) => row.status === 'active').length,
      devices: licenses.reduce((sum, row) => sum + Number(row.devices), 0),
      online: licenses.reduce((sum, row) => sum + Number(row.online), 0),
    }
    return view.render('pages/customers/show', { customer, licenses, figures })
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

  async destroy(ctx: HttpContext) {
    const customer = await Customer.findOrFail(ctx.params.id)
    await CustomerService.delete(customer, adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('customers.deleted', { name: customer.name }))
    return ctx.response.redirect('/admin/customers')
  }

  protected emailTaken({ session, response, i18n }: HttpContext, error: unknown, back: string) {
    if (!(error instanceof CustomerEmailTakenError)) throw error
    session.flashAll()
    session.flashErrors({ email: i18n.t('customers.email_taken') })
    return response.redirect(back)
  }
}
