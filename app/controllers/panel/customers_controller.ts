import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import CustomerList from '#services/customer_list'
import CustomerService from '#services/customer_service'
import { PanelExtensions } from '#services/panel_extensions'
import { Clock } from '#support/clock'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import { customerValidator } from '#validators/panel_customers'

/**
 * Customers: the people and companies licenses are sold to.
 */
@inject()
export default class CustomersController {
  constructor(
    protected clock: Clock,
    protected customers: CustomerService,
    protected lists: CustomerList,
    protected extensions: PanelExtensions
  ) {}

  async index({ view, request }: HttpContext) {
    return view.render('pages/customers/index', await this.lists.page(request))
  }

  /**
   * Autocomplete (JSON): up to 10 customers whose name, email or company
   * contains the term, or whose id it is.
   */
  async suggest({ request }: HttpContext) {
    return this.lists.suggest(request.qs().q)
  }

  async create({ view }: HttpContext) {
    return view.render('pages/customers/form', { customer: null })
  }

  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(customerValidator)
    try {
      const customer = await this.customers.create(input, adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('customers.created', { name: customer.name }))
      return ctx.response.redirect().toRoute('admin.customers.show', [customer.id])
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.customers.create'))
    }
  }

  async show({ view, params, request, i18n }: HttpContext) {
    const customer = await this.customers.find(params.id)
    const now = this.clock.now().toJSDate()
    return view.render('pages/customers/show', {
      customer,
      ...(await this.lists.licenses(customer.id, request, now)),
      figures: await this.customers.figures(customer.id, now),
      links: await this.extensions.customerLinks(customer.id, (key, data) => i18n.t(key, data)),
    })
  }

  async edit({ view, params }: HttpContext) {
    const customer = await this.customers.find(params.id)
    return view.render('pages/customers/form', { customer })
  }

  async update(ctx: HttpContext) {
    const customer = await this.customers.find(ctx.params.id)
    const input = await ctx.request.validateUsing(customerValidator)
    try {
      await this.customers.update(customer, input, adminActor(ctx))
      ctx.session.flash('success', ctx.i18n.t('customers.updated'))
      return ctx.response.redirect().toRoute('admin.customers.show', [customer.id])
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.customers.edit', [customer.id]))
    }
  }

  /** Asks first, and says what becomes of the customer's licenses. */
  async confirmDestroy({ view, params }: HttpContext) {
    const customer = await this.customers.find(params.id)
    const figures = await this.customers.figures(customer.id, this.clock.now().toJSDate())
    return view.render('pages/customers/delete', { customer, figures })
  }

  async destroy(ctx: HttpContext) {
    const customer = await this.customers.find(ctx.params.id)
    const { licenses } = await this.customers.delete(customer, adminActor(ctx))
    ctx.session.flash(
      'success',
      ctx.i18n.t('customers.deleted', { name: customer.name, count: licenses })
    )
    return ctx.response.redirect().toRoute('admin.customers.index')
  }
}
