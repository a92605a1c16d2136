import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { errors as lucidErrors } from '@adonisjs/lucid'
import { adminActor, redirectWithRefusal } from '#plugin_host/api'
import { NOTIFICATION_TYPES } from '../services/catalogue.js'
import { EndpointService } from '../services/endpoint_service.js'
import { nominalSchedule } from '../services/retry_schedule.js'
import { WebhookQueries } from '../services/webhook_queries.js'
import { deliveryPageValidator, endpointValidator } from '../validators.js'

const BASE = '/admin/notifications/webhooks'
const notFound = () => new lucidErrors.E_ROW_NOT_FOUND()

/** The owner's webhook endpoints: list, create, edit, switch, delete, test, redeliver. */
@inject()
export default class WebhooksController {
  constructor(
    protected endpoints: EndpointService,
    protected queries: WebhookQueries
  ) {}

  async index({ view }: HttpContext) {
    return view.render('notifications::webhooks/index', {
      endpoints: await this.queries.endpoints(),
    })
  }

  async create({ view }: HttpContext) {
    return view.render('notifications::webhooks/form', {
      endpoint: null,
      types: NOTIFICATION_TYPES,
    })
  }

  /** Shows the signing secret in this response only, as API keys are. */
  async store(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(endpointValidator)
    try {
      const created = await this.endpoints.create(
        { url: form.url, description: form.description ?? null, events: form.events },
        adminActor(ctx)
      )
      ctx.response.header('Cache-Control', 'no-store')
      return ctx.view.render('notifications::webhooks/created', {
        endpoint: await this.queries.endpoint(created.id),
        secret: created.secret,
      })
    } catch (error) {
      return redirectWithRefusal(ctx, error, `${BASE}/new`)
    }
  }

  async show({ view, params, request }: HttpContext) {
    const endpoint = await this.queries.endpoint(Number(params.id))
    if (!endpoint) throw notFound()
    const { page, status } = await request.validateUsing(deliveryPageValidator, {
      data: request.qs(),
    })
    return view.render('notifications::webhooks/show', {
      endpoint,
      types: NOTIFICATION_TYPES,
      deliveries: await this.queries.deliveries(endpoint.id, page ?? 1, status),
      status: status ?? '',
      schedule: nominalSchedule().map((ms) => Math.round(ms / 60_000)),
    })
  }

  async update(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const form = await ctx.request.validateUsing(endpointValidator)
    try {
      const found = await this.endpoints.update(
        id,
        { url: form.url, description: form.description ?? null, events: form.events },
        adminActor(ctx)
      )
      if (!found) throw notFound()
    } catch (error) {
      return redirectWithRefusal(ctx, error, `${BASE}/${id}`)
    }
    ctx.session.flash('success', ctx.i18n.t('notifications.saved'))
    return ctx.response.redirect(`${BASE}/${id}`)
  }

  /** Shows the new secret in this response only, as on creation. */
  async rotateSecret(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const secret = await this.endpoints.rotateSecret(id, adminActor(ctx))
    if (!secret) throw notFound()
    ctx.response.header('Cache-Control', 'no-store')
    return ctx.view.render('notifications::webhooks/created', {
      endpoint: await this.queries.endpoint(id),
      secret,
      rotated: true,
    })
  }

  async destroy(ctx: HttpContext) {
    if (!(await this.endpoints.destroy(Number(ctx.params.id), adminActor(ctx)))) throw notFound()
    ctx.session.flash('success', ctx.i18n.t('notifications.deleted'))
    return ctx.response.redirect(BASE)
  }

  async enable(ctx: HttpContext) {
    return this.switch(ctx, true)
  }

  async disable(ctx: HttpContext) {
    return this.switch(ctx, false)
  }

  protected async switch(ctx: HttpContext, enabled: boolean) {
    const id = Number(ctx.params.id)
    if (!(await this.endpoints.setEnabled(id, enabled, adminActor(ctx)))) throw notFound()
    ctx.session.flash(
      'success',
      ctx.i18n.t(enabled ? 'notifications.enabled_now' : 'notifications.disabled_now')
    )
    return ctx.response.redirect(`${BASE}/${id}`)
  }

  async test(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    try {
      if (!(await this.endpoints.testSend(id, adminActor(ctx)))) throw notFound()
    } catch (error) {
      return redirectWithRefusal(ctx, error, `${BASE}/${id}`)
    }
    ctx.session.flash('success', ctx.i18n.t('notifications.test_queued'))
    return ctx.response.redirect(`${BASE}/${id}`)
  }

  async redeliver(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    try {
      const found = await this.endpoints.redeliver(id, Number(ctx.params.delivery), adminActor(ctx))
      if (!found) throw notFound()
    } catch (error) {
      return redirectWithRefusal(ctx, error, `${BASE}/${id}`)
    }
    ctx.session.flash('success', ctx.i18n.t('notifications.redelivery_queued'))
    return ctx.response.redirect(`${BASE}/${id}`)
  }
}
