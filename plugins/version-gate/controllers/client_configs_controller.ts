import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { adminActor, redirectWithRefusal } from '#plugin_host/api'
import type ClientConfig from '../models/client_config.js'
import ClientConfigService, { type ClientConfigFields } from '../client_config_service.js'
import ClientConfigList from '../client_config_list.js'
import { renderMarkdown } from '../markdown.js'
import { clientConfigCreateValidator, clientConfigValidator } from '../validators.js'
import VersionGate from '../gate.js'

type ConfigForm = Awaited<ReturnType<typeof clientConfigValidator.validate>>

/** A field's value in one line of the history. */
function describeValue(value: unknown, i18n: HttpContext['i18n']): string {
  if (value === null || value === undefined || value === '') return '—'
  if (typeof value === 'boolean') return i18n.t(value ? 'version_gate.yes' : 'version_gate.no')
  const text =
    typeof value === 'object'
      ? Object.entries(value as Record<string, unknown>)
          .map(([key, entry]) => `${key}: ${entry}`)
          .join(' · ')
      : String(value)
  if (!text) return '—'
  return text.length > 80 ? `${text.slice(0, 79)}…` : text
}

/** The form's fields as a configuration: blank optional texts are none. */
function fieldsFrom(form: ConfigForm): ClientConfigFields {
  const messages: Record<string, string> = {}
  if (form.session_limit_message_en) messages.en = form.session_limit_message_en
  if (form.session_limit_message_de) messages.de = form.session_limit_message_de
  return {
    client_name: form.client_name,
    current_version: form.current_version,
    minimum_version: form.minimum_version,
    download_url: form.download_url || null,
    whats_new: form.whats_new || null,
    heartbeat_interval: form.heartbeat_interval,
    session_timeout: form.session_timeout,
    session_limit_message: messages,
    require_version: form.require_version ?? false,
  }
}

/** A configuration as its form shows it. */
function valuesOf(config: ClientConfig): ClientConfigFields {
  return {
    client_name: config.clientName,
    current_version: config.currentVersion,
    minimum_version: config.minimumVersion,
    download_url: config.downloadUrl,
    whats_new: config.whatsNew,
    heartbeat_interval: config.heartbeatInterval,
    session_timeout: config.sessionTimeout,
    session_limit_message: config.sessionLimitMessage,
    require_version: config.requireVersion,
  }
}

/**
 * The client configuration pages: one configuration per product, its
 * history, and the forms that create and change it. A refused save goes
 * back to the form it came from, the refusal beside its field.
 */
@inject()
export default class ClientConfigsController {
  constructor(
    protected gate: VersionGate,
    protected configs: ClientConfigService,
    protected lists: ClientConfigList
  ) {}

  /** Every product, with its configuration or a way to create one. */
  async index({ view, request }: HttpContext) {
    return view.render('version-gate::index', await this.lists.query(request))
  }

  /**
   * The form for a product without a configuration (the old system's
   * `/lizenzserver/config/client/new` redirects here).
   */
  async create({ view, request }: HttpContext) {
    const products = await this.configs.unconfiguredProducts()
    const asked = Number(request.qs().product)
    const product = products.find((row) => row.id === asked) ?? products[0] ?? null
    return view.render('version-gate::form', {
      config: null,
      products,
      values: product ? this.configs.defaultsFor(product) : null,
      productId: product?.id ?? null,
    })
  }

  async store(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(clientConfigCreateValidator)
    try {
      const { id } = await this.configs.create(form.product_id, fieldsFrom(form), adminActor(ctx))
      this.gate.forget(form.product_id)
      ctx.session.flash('success', ctx.i18n.t('version_gate.created'))
      return ctx.response.redirect().toRoute('admin.client_configs.show', { id })
    } catch (error) {
      return redirectWithRefusal(ctx, error)
    }
  }

  async show({ view, params, request, i18n }: HttpContext) {
    const config = await this.configs.findWithProduct(params.id)
    return view.render('version-gate::show', {
      config,
      whatsNewHtml: renderMarkdown(config.whatsNew),
      ...(await this.lists.history(config.id, request)),
      formatValue: (value: unknown) => describeValue(value, i18n),
    })
  }

  async edit({ view, params }: HttpContext) {
    const config = await this.configs.findWithProduct(params.id)
    return view.render('version-gate::form', {
      config,
      products: [],
      values: valuesOf(config),
      productId: config.productId,
    })
  }

  async update(ctx: HttpContext) {
    const config = await this.configs.findOrFail(ctx.params.id)
    const form = await ctx.request.validateUsing(clientConfigValidator)
    try {
      const changed = await this.configs.update(config.id, fieldsFrom(form), adminActor(ctx))
      this.gate.forget(config.productId)
      ctx.session.flash(
        'success',
        ctx.i18n.t(changed?.length ? 'version_gate.updated' : 'version_gate.unchanged')
      )
      return ctx.response.redirect().toRoute('admin.client_configs.show', { id: config.id })
    } catch (error) {
      return redirectWithRefusal(ctx, error)
    }
  }
}
