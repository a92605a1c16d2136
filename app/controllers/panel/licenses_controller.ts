import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import License from '#models/license'
import Product from '#models/product'
import LicenseGenerator from '#services/license_generator'
import LicenseAdminService, { LicenseRuleError } from '#services/license_admin_service'
import { SessionPolicyRegistry } from '#services/session_policies'
import { Clock } from '#support/clock'
import { adminActor } from '#support/actor'
import { inChunks, sendCsv } from '#support/csv_export'
import { formatMoment } from '#support/formatting'
import { likePattern, paginate, readListState } from '#support/panel_list'
import {
  batchValidator,
  bulkValidator,
  deviceRenameValidator,
  licenseUpdateValidator,
  quickEditValidator,
} from '#validators/panel_licenses'

const STATUSES = ['active', 'expired', 'suspended', 'revoked'] as const
const BULK_STATUS = { suspend: 'suspended', reactivate: 'active', revoke: 'revoked' } as const

/**
 * Licenses: the list with its filters, batches, edits, bulk status changes,
 * and a page per license with its devices, sessions and audit trail.
 */
@inject()
export default class LicensesController {
  constructor(
    protected clock: Clock,
    protected admin: LicenseAdminService,
    protected policies: SessionPolicyRegistry
  ) {}

  protected async listQuery(request: HttpContext['request']) {
    const list = await readListState(request, {
      sortable: ['created_at', 'expires_at', 'key', 'status', 'type'] as const,
      defaultSort: 'created_at',
      filters: {
        status: STATUSES,
        type: /^(perpetual|[1-9][0-9]{0,3}[hdwmy])$/,
        product_id: /^\d{1,9}$/,
        customer_id: /^\d{1,9}$/,
        batch_id: /^[0-9a-f-]{36}$/,
        expiring_within: /^\d{1,4}$/,
      },
    })
    const now = this.clock.now().toJSDate()
    const query = db
      .from('licenses as l')
      .join('products as p', 'p.id', 'l.product_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .select(
        'l.id',
        'l.key',
        'l.type',
        'l.status',
        'l.max_devices',
        'l.max_sessions',
        'l.expires_at',
        'l.activated_at',
        'l.created_at',
        'l.batch_id',
        'l.notes',
        'l.customer_id',
        'c.name as customer_name',
        'p.name as product_name',
        db.raw('(SELECT count(*) FROM devices d WHERE d.license_id = l.id AND d.active) AS devices')
      )
      .orderByRaw(`l.${list.sort} ${list.dir} NULLS LAST`)
      .orderBy('l.id', list.dir)
    const { status, type, product_id: productId, customer_id: customerId } = list.filters
    if (status === 'expired') {
      query.where('l.status', 'active').where('l.expires_at', '<=', now)
    } else if (status === 'active') {
      query
        .where('l.status', 'active')
        .where((where) => where.whereNull('l.expires_at').orWhere('l.expires_at', '>', now))
    } else if (status) {
      query.where('l.status', status)
    }
    if (type) query.where('l.type', type)
    if (productId) query.where('l.product_id', Number(productId))
    if (customerId) query.where('l.customer_id', Number(customerId))
    if (list.filters.batch_id) query.where('l.batch_id', list.filters.batch_id)
    if (list.filters.expiring_within) {
      const days = Number(list.filters.expiring_within)
      query
        .where('l.expires_at', '>', now)
        .where('l.expires_at', '<=', this.clock.now().plus({ days }).toJSDate())
    }
    if (list.q) {
      const pattern = likePattern(list.q)
      query.where((where) =>
        where
          .whereILike('l.key', pattern)
          .orWhereILike('l.notes', pattern)
          .orWhereILike('c.name', pattern)
      )
    }
    return { list, query }
  }

  async index({ view, request }: HttpContext) {
    const { list, query } = await this.listQuery(request)
    return view.render('pages/licenses/index', {
      list,
      page: await paginate(query, list),
      products: await Product.query().orderBy('name'),
      statuses: STATUSES,
      now: this.clock.now(),
    })
  }

  async export({ request, response }: HttpContext) {
    const { query } = await this.listQuery(request)
    return sendCsv(
      response,
      'licenses.csv',
      [
        { header: 'key', value: (row: any) => row.key },
        { header: 'product', value: (row: any) => row.product_name },
        { header: 'customer', value: (row: any) => row.customer_name },
        { header: 'type', value: (row: any) => row.type },
        { header: 'status', value: (row: any) => row.status },
        { header: 'max_devices', value: (row: any) => row.max_devices },
        { header: 'max_sessions', value: (row: any) => row.max_sessions },
        { header: 'devices_in_use', value: (row: any) => row.devices },
        { header: 'activated_at', value: (row: any) => formatMoment(row.activated_at, true) },
        { header: 'expires_at', value: (row: any) => formatMoment(row.expires_at, true) },
        { header: 'batch_id', value: (row: any) => row.batch_id },
        { header: 'notes', value: (row: any) => row.notes },
      ],
      inChunks(query)
    )
  }

  protected async formData() {
    return {
      products: await Product.query().orderBy('name'),
      policies: this.policies.names(),
    }
  }

  async create({ view, request }: HttpContext) {
    return view.render('pages/licenses/new', {
      ...(await this.formData()),
      customerId: /^\d{1,9}$/.test(String(request.qs().customer_id ?? ''))
        ? request.qs().customer_id
        : '',
    })
  }

  async store(ctx: HttpContext) {
    const { request, session, response, i18n, view } = ctx
    const input = await request.validateUsing(batchValidator)
    const fieldError = (field: string, key: string) => {
      session.flashAll()
      session.flashErrors({ [field]: i18n.t(key) })
      return response.redirect('/admin/licenses/new')
    }
    if (input.max_sessions > input.max_devices) {
      return fieldError('max_sessions', 'licenses.errors.above_max_devices')
    }
    if (!(await Product.find(input.product_id))) {
      return fieldError('product_id', 'licenses.errors.unknown_product')
    }
    if (input.customer_id && !(await db.from('customers').where('id', input.customer_id).first())) {
      return fieldError('customer_id', 'licenses.errors.unknown_customer')
    }
    if (input.session_policy && !this.policies.has(input.session_policy)) {
      return fieldError('session_policy', 'licenses.errors.unknown_policy')
    }
    const generator = await ctx.containerResolver.make(LicenseGenerator)
    const { batchId, keys } = await generator.generate(
      {
        productId: input.product_id,
        type: input.type,
        count: input.count,
        customerId: input.customer_id ?? null,
        maxDevices: input.max_devices,
        maxSessions: input.max_sessions,
        sessionPolicy: input.session_policy ?? null,
        notes: input.notes ?? null,
        expiryBasis: input.expiry_basis,
      },
      adminActor(ctx)
    )
    return view.render('pages/licenses/batch_created', { batchId, keys, shown: keys.slice(0, 500) })
  }

  async show({ view, params }: HttpContext) {
    const license = await License.query()
      .where('id', params.id)
      .preload('product')
      .preload('customer')
      .firstOrFail()
    const now = this.clock.now().toJSDate()
    const [devices, live, history, audit] = await Promise.all([
      db.from('devices').where('license_id', license.id).orderBy('active', 'desc').orderBy('id'),
      db
        .from('license_sessions')
        .where('license_id', license.id)
        .where('expires_at', '>', now)
        .orderBy('started_at', 'desc'),
      db
        .from('session_history')
        .where('license_id', license.id)
        .orderBy('ended_at', 'desc')
        .limit(50),
      db
        .from('audit_logs')
        .where('subject_type', 'license')
        .where('subject_id', String(license.id))
        .orderBy('id', 'desc')
        .limit(100),
    ])
    return view.render('pages/licenses/show', { license, devices, live, history, audit })
  }

  async edit({ view, params }: HttpContext) {
    const license = await License.findOrFail(params.id)
    return view.render('pages/licenses/edit', { license, ...(await this.formData()) })
  }

  protected refused(
    { session, response, i18n }: HttpContext,
    error: unknown,
    back: string,
    asFlash = false
  ) {
    if (!(error instanceof LicenseRuleError)) throw error
    const message = i18n.t(`licenses.errors.${error.reason}`)
    if (asFlash) {
      session.flash('error', message)
    } else {
      session.flashAll()
      session.flashErrors({ [error.field]: message })
    }
    return response.redirect(back)
  }

  async update(ctx: HttpContext) {
    const license = await License.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(licenseUpdateValidator)
    if (input.session_policy && !this.policies.has(input.session_policy)) {
      ctx.session.flashAll()
      ctx.session.flashErrors({ session_policy: ctx.i18n.t('licenses.errors.unknown_policy') })
      return ctx.response.redirect(`/admin/licenses/${license.id}/edit`)
    }
    try {
      await this.admin.update(
        license.id,
        {
          status: input.status,
          maxDevices: input.max_devices,
          maxSessions: input.max_sessions,
          customerId: input.customer_id ?? null,
          sessionPolicy: input.session_policy ?? null,
          notes: input.notes ?? null,
        },
        adminActor(ctx)
      )
    } catch (error) {
      return this.refused(ctx, error, `/admin/licenses/${license.id}/edit`)
    }
    ctx.session.flash('success', ctx.i18n.t('licenses.saved'))
    return ctx.response.redirect(`/admin/licenses/${license.id}`)
  }

  /** The inline form of a list row: status and limits. */
  async quick(ctx: HttpContext) {
    const license = await License.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(quickEditValidator)
    try {
      await this.admin.update(
        license.id,
        { status: input.status, maxDevices: input.max_devices, maxSessions: input.max_sessions },
        adminActor(ctx)
      )
    } catch (error) {
      return this.refused(ctx, error, ctx.request.header('referer') ?? '/admin/licenses', true)
    }
    ctx.session.flash('success', ctx.i18n.t('licenses.quick_saved', { key: license.key }))
    return ctx.response.redirect().back()
  }

  async bulk(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(bulkValidator)
    const result = await this.admin.setStatusOfMany(
      input.ids,
      BULK_STATUS[input.action],
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t(`licenses.bulk_done`, result))
    return ctx.response.redirect().back()
  }

  async renameDevice(ctx: HttpContext) {
    const { name } = await ctx.request.validateUsing(deviceRenameValidator)
    await this.admin.renameDevice(
      Number(ctx.params.id),
      Number(ctx.params.device),
      name || null,
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t('licenses.device_renamed'))
    return ctx.response.redirect(`/admin/licenses/${ctx.params.id}`)
  }

  async deactivateDevice(ctx: HttpContext) {
    await this.admin.deactivateDevice(
      Number(ctx.params.id),
      Number(ctx.params.device),
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t('licenses.device_deactivated'))
    return ctx.response.redirect(`/admin/licenses/${ctx.params.id}`)
  }
}
