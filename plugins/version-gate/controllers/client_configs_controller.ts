import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { adminActor } from '#support/actor'
import { likePattern, paginate, readListState } from '#support/panel_list'
import ClientConfig from '../models/client_config.js'
import ClientConfigRevision from '../models/client_config_revision.js'
import ClientConfigService, {
  ClientConfigRuleError,
  type ClientConfigFields,
} from '../client_config_service.js'
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

/**
 * The client configuration pages: one configuration per product, its
 * history, and the forms that create and change it.
 */
@inject()
export default class ClientConfigsController {
  constructor(protected gate: VersionGate) {}

  /** Every product, with its configuration or a way to create one. */
  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['product', 'current_version', 'updated_at'] as const,
      defaultSort: 'product',
      defaultDir: 'asc',
      filters: { configured: ['yes', 'no'] },
    })
    const sorts = {
      product: 'lower(p.name)',
      current_version: 'c.current_version',
      updated_at: 'c.updated_at',
    }
    const query = db
      .from('products as p')
      .leftJoin('version_gate_configs as c', 'c.product_id', 'p.id')
      .select(
        'p.id as product_id',
        'p.name as product_name',
        'p.slug as product_slug',
        'c.id',
        'c.client_name',
        'c.current_version',
        'c.minimum_version',
        'c.require_version',
        'c.revision',
        'c.updated_at'
      )
      .orderByRaw(`${sorts[list.sort]} ${list.dir} NULLS LAST`)
      .orderBy('p.id')
    if (list.q) {
      const pattern = likePattern(list.q)
      query.where((where) =>
        where
          .whereILike('p.name', pattern)
          .orWhereILike('p.slug', pattern)
          .orWhereILike('c.client_name', pattern)
      )
    }
    if (list.filters.configured === 'yes') query.whereNotNull('c.id')
    if (list.filters.configured === 'no') query.whereNull('c.id')
    return view.render('version-gate::index', { list, page: await paginate(query, list) })
  }

  /**
   * The form for a product without a configuration (also at the old
   * system's `/lizenzserver/config/client/new`).
   */
  async create({ view, request }: HttpContext) {
    const products = await ClientConfigService.unconfiguredProducts()
    const asked = Number(request.qs().product)
    const product = products.find((row) => row.id === asked) ?? products[0] ?? null
    return view.render('version-gate::form', {
      config: null,
      products,
      values: product ? ClientConfigService.defaultsFor(product) : null,
      productId: product?.id ?? null,
    })
  }

  async store(ctx: HttpContext) {
    const form = await ctx.request.validateUsing(clientConfigCreateValidator)
    try {
      const { id } = await ClientConfigService.create(
        form.product_id,
        fieldsFrom(form),
        adminActor(ctx)
      )
      this.gate.forget(form.product_id)
      ctx.session.flash('success', ctx.i18n.t('version_gate.created'))
      return ctx.response.redirect(`/admin/client-config/${id}`)
    } catch (error) {
      return this.refused(ctx, error)
    }
  }

  async show({ view, params, request, i18n }: HttpContext) {
    const config = await ClientConfig.query()
      .where('id', params.id)
      .preload('product')
      .firstOrFail()
    const list = await readListState(request, {
      sortable: ['revision'] as const,
      defaultSort: 'revision',
    })
    const history = await paginate<ClientConfigRevision>(
      ClientConfigRevision.query().where('clientConfigId', config.id).orderBy('revision', list.dir),
      list
    )
    return view.render('version-gate::show', {
      config,
      whatsNewHtml: renderMarkdown(config.whatsNew),
      list,
      history: { ...history, rows: await this.withPrevious(config.id, history.rows) },
      formatValue: (value: unknown) => describeValue(value, i18n),
    })
  }

  async edit({ view, params }: HttpContext) {
    const config = await ClientConfig.query()
      .where('id', params.id)
      .preload('product')
      .firstOrFail()
    return view.render('version-gate::form', {
      config,
      products: [],
      values: {
        client_name: config.clientName,
        current_version: config.currentVersion,
        minimum_version: config.minimumVersion,
        download_url: config.downloadUrl,
        whats_new: config.whatsNew,
        heartbeat_interval: config.heartbeatInterval,
        session_timeout: config.sessionTimeout,
        session_limit_message: config.sessionLimitMessage,
        require_version: config.requireVersion,
      },
      productId: config.productId,
    })
  }

  async update(ctx: HttpContext) {
    const config = await ClientConfig.findOrFail(ctx.params.id)
    const form = await ctx.request.validateUsing(clientConfigValidator)
    try {
      const changed = await ClientConfigService.update(config.id, fieldsFrom(form), adminActor(ctx))
      this.gate.forget(config.productId)
      ctx.session.flash(
        'success',
        ctx.i18n.t(changed?.length ? 'version_gate.updated' : 'version_gate.unchanged')
      )
      return ctx.response.redirect(`/admin/client-config/${config.id}`)
    } catch (error) {
      return this.refused(ctx, error)
    }
  }

  /**
   * Each revision with the values it replaced, so the history says what
   * changed from what.
   */
  protected async withPrevious(configId: number, revisions: ClientConfigRevision[]) {
    if (revisions.length === 0) return []
    const numbers = revisions.map((revision) => revision.revision - 1)
    const earlier = await ClientConfigRevision.query()
      .where('clientConfigId', configId)
      .whereIn('revision', numbers)
    const byNumber = new Map(earlier.map((revision) => [revision.revision, revision.snapshot]))
    return revisions.map((revision) => ({
      revision,
      previous: byNumber.get(revision.revision - 1) ?? null,
    }))
  }

  protected refused({ session, response, i18n }: HttpContext, error: unknown) {
    if (!(error instanceof ClientConfigRuleError)) throw error
    session.flashAll()
    session.flashErrors({ [error.field]: i18n.t(`version_gate.errors.${error.reason}`) })
    return response.redirect().back()
  }
}
