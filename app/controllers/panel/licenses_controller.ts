import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { errors as vineErrors } from '@vinejs/vine'
import License from '#models/license'
import Product from '#models/product'
import LicenseAdminService, {
  LicenseRuleError,
  effectiveStatusSql,
} from '#services/license_admin_service'
import { SessionPolicyRegistry } from '#services/session_policies'
import { Clock } from '#support/clock'
import { adminActor } from '#support/actor'
import { inChunks, sendCsv, type CsvColumn } from '#support/csv_export'
import { formatMoment } from '#support/formatting'
import { LICENSE_TYPE_PATTERN } from '#support/license_duration'
import { likePattern, paginate, readListState } from '#support/panel_list'
import {
  batchValidator,
  bulkValidator,
  deviceRenameValidator,
  licenseUpdateValidator,
  quickEditValidator,
} from '#validators/panel_licenses'

/** The statuses a license shows; `expired` is computed, never stored. */
const STATUSES = ['active', 'expired', 'suspended', 'revoked'] as const
const BULK_STATUS = { suspend: 'suspended', reactivate: 'active', revoke: 'revoked' } as const

/** Sortable columns of the list, as SQL (`status` and `devices` are select aliases). */
const SORTS = {
  created_at: 'l.created_at',
  expires_at: 'l.expires_at',
  key: 'l.key',
  status: 'status',
  type: 'l.type',
  product: 'p.name',
  customer: 'c.name',
  devices: 'devices',
} as const

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ID = /^[1-9]\d{0,8}$/

/**
 * Up to this many customers, license forms and the list filter offer a
 * select; with more, a customer-id field that the autocomplete fills
 * (public/assets/customers.js), which works without JavaScript too.
 */
const CUSTOMER_SELECT_LIMIT = 100

/**
 * Where the list's inline forms return: the list page they were sent from,
 * with its filters (a hidden `back` field; only a panel path is accepted).
 */
function backTo(request: HttpContext['request']) {
  const back = String(request.input('back') ?? '')
  return /^\/admin\/[\w/-]*(\?[^\s\\]*)?$/.test(back) ? back : '/admin/licenses'
}

/** Keys shown on the page after a batch; the CSV has them all. */
const KEYS_SHOWN = 500

type ListRow = {
  id: number
  key: string
  type: string
  status: string
  stored_status: string
  max_devices: number
  max_sessions: number
  expires_at: Date | null
  activated_at: Date | null
  created_at: Date
  batch_id: string | null
  notes: string | null
  customer_id: number | null
  customer_name: string | null
  customer_email: string | null
  product_name: string
  devices: string
}

const CSV_COLUMNS: CsvColumn<ListRow>[] = [
  { header: 'key', value: (row) => row.key },
  { header: 'product', value: (row) => row.product_name },
  { header: 'customer_id', value: (row) => row.customer_id },
  { header: 'customer', value: (row) => row.customer_name },
  { header: 'customer_email', value: (row) => row.customer_email },
  { header: 'type', value: (row) => row.type },
  { header: 'status', value: (row) => row.status },
  { header: 'max_devices', value: (row) => row.max_devices },
  { header: 'max_sessions', value: (row) => row.max_sessions },
  { header: 'devices_in_use', value: (row) => Number(row.devices) },
  { header: 'created_at', value: (row) => formatMoment(row.created_at, true) },
  { header: 'activated_at', value: (row) => formatMoment(row.activated_at, true) },
  { header: 'expires_at', value: (row) => formatMoment(row.expires_at, true) },
  { header: 'batch_id', value: (row) => row.batch_id },
  { header: 'notes', value: (row) => row.notes },
]

/**
 * Licenses: the list with its filters and CSV export, single licenses and
 * batches, edits (full and inline), bulk status changes, and a page per
 * license with its devices, sessions and audit trail.
 */
@inject()
export default class LicensesController {
  constructor(
    protected clock: Clock,
    protected admin: LicenseAdminService,
    protected policies: SessionPolicyRegistry
  ) {}

  /** The list and the CSV export read the same query string. */
  protected async listQuery(request: HttpContext['request']) {
    const list = await readListState(request, {
      sortable: Object.keys(SORTS) as (keyof typeof SORTS)[],
      defaultSort: 'created_at',
      filters: {
        status: STATUSES,
        type: LICENSE_TYPE_PATTERN,
        product_id: ID,
        customer_id: ID,
        batch_id: UUID,
        expiring_within: /^\d{1,4}$/,
      },
    })
    const now = this.clock.now()
    const query = db
      .from('licenses as l')
      .join('products as p', 'p.id', 'l.product_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .select(
        'l.id',
        'l.key',
        'l.type',
        'l.status as stored_status',
        'l.max_devices',
        'l.max_sessions',
        'l.expires_at',
        'l.activated_at',
        'l.created_at',
        'l.batch_id',
        'l.notes',
        'l.customer_id',
        'c.name as customer_name',
        'c.email as customer_email',
        'p.name as product_name',
        effectiveStatusSql('l', now.toJSDate()),
        db.raw('(SELECT count(*) FROM devices d WHERE d.license_id = l.id AND d.active) AS devices')
      )
      .orderByRaw(`${SORTS[list.sort]} ${list.dir} NULLS LAST`)
      .orderBy('l.id', list.dir)

    const { status, type, product_id: productId, customer_id: customerId } = list.filters
    if (status === 'expired') {
      query.where('l.status', 'active').where('l.expires_at', '<=', now.toJSDate())
    } else if (status === 'active') {
      query
        .where('l.status', 'active')
        .where((where) =>
          where.whereNull('l.expires_at').orWhere('l.expires_at', '>', now.toJSDate())
        )
    } else if (status) {
      query.where('l.status', status)
    }
    if (type) query.where('l.type', type)
    if (productId) query.where('l.product_id', Number(productId))
    if (customerId) query.where('l.customer_id', Number(customerId))
    if (list.filters.batch_id) query.where('l.batch_id', list.filters.batch_id.toLowerCase())
    if (list.filters.expiring_within) {
      query
        .where('l.expires_at', '>', now.toJSDate())
        .where(
          'l.expires_at',
          '<=',
          now.plus({ days: Number(list.filters.expiring_within) }).toJSDate()
        )
    }
    if (list.q) {
      const pattern = likePattern(list.q)
      query.where((where) =>
        where
          .whereILike('l.key', pattern)
          .orWhereILike('l.notes', pattern)
          .orWhereILike('c.name', pattern)
          .orWhereILike('c.email', pattern)
          .orWhereILike('c.company', pattern)
      )
    }
    return { list, query }
  }

  /**
   * The customers to pick from: all of them when few (a select), else none
   * (a customer-id field with autocomplete), plus the one already chosen.
   */
  protected async customerChoices(selectedId?: number | string | null) {
    const [{ n }] = await db.from('customers').count('* as n')
    const customers =
      Number(n) <= CUSTOMER_SELECT_LIMIT
        ? await db.from('customers').orderByRaw('lower(name)').select('id', 'name', 'email')
        : null
    const selected =
      selectedId && ID.test(String(selectedId))
        ? await db.from('customers').where('id', Number(selectedId)).select('id', 'name').first()
        : null
    return { customers, selectedCustomer: selected ?? null }
  }

  async index({ view, request }: HttpContext) {
    const { list, query } = await this.listQuery(request)
    return view.render('pages/licenses/index', {
      list,
      page: await paginate<ListRow>(query, list),
      products: await Product.query().orderBy('name'),
      statuses: STATUSES,
      ...(await this.customerChoices(list.filters.customer_id)),
    })
  }

  /** `GET /admin/licenses/export.csv` with the list's query string: every matching row. */
  async export({ request, response }: HttpContext) {
    const { list, query } = await this.listQuery(request)
    const filename = list.filters.batch_id
      ? `licenses-batch-${list.filters.batch_id.toLowerCase()}.csv`
      : `licenses-${this.clock.now().toFormat('yyyy-LL-dd')}.csv`
    return sendCsv(response, filename, CSV_COLUMNS, inChunks<ListRow>(query))
  }

  /** The session policies to choose from, plus the license's own if its plugin is off. */
  protected policyChoices(current?: string | null) {
    const names = this.policies.names()
    return current && !names.includes(current) ? [...names, current] : names
  }

  async create({ view, request }: HttpContext) {
    const asked = String(request.qs().customer_id ?? '')
    return view.render('pages/licenses/new', {
      batchToken: randomUUID(),
      products: await Product.query().orderBy('name'),
      policies: this.policyChoices(),
      customerId: ID.test(asked) ? asked : '',
      ...(await this.customerChoices(asked)),
    })
  }

  /**
   * One license (its page opens) or a batch (its keys are shown once, in
   * the answer to the POST). The form carries the batch's id, so sending it
   * again (a reload) issues nothing and leads to the batch in the list.
   */
  async store(ctx: HttpContext) {
    const { request, session, response, i18n, view } = ctx
    const input = await request.validateUsing(batchValidator)
    let created: { batchId: string; keys: string[]; repeated: boolean }
    try {
      created = await this.admin.issue(
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
          batchId: input.batch_token,
        },
        adminActor(ctx)
      )
    } catch (error) {
      return this.refused(ctx, error, '/admin/licenses/new')
    }
    if (created.repeated) {
      session.flash('error', i18n.t('licenses.batch_repeated'))
      return response.redirect(`/admin/licenses?batch_id=${created.batchId}`)
    }
    if (created.keys.length === 1) {
      const license = await License.findByOrFail('key', created.keys[0])
      session.flash('success', i18n.t('licenses.created_one', { key: license.key }))
      return response.redirect(`/admin/licenses/${license.id}`)
    }
    return view.render('pages/licenses/batch_created', {
      batchId: created.batchId,
      total: created.keys.length,
      keys: created.keys.slice(0, KEYS_SHOWN),
    })
  }

  async show({ view, params }: HttpContext) {
    const license = await License.query()
      .where('id', params.id)
      .preload('product')
      .preload('customer')
      .firstOrFail()
    const now = this.clock.now()
    const [devices, live, history, audit] = await Promise.all([
      db
        .from('devices')
        .where('license_id', license.id)
        .orderBy('active', 'desc')
        .orderBy('last_seen_at', 'desc')
        .orderBy('id'),
      db
        .from('license_sessions')
        .where('license_id', license.id)
        .where('expires_at', '>', now.toJSDate())
        .orderBy('started_at', 'desc'),
      db
        .from('session_history')
        .where('license_id', license.id)
        .orderBy('ended_at', 'desc')
        .limit(50),
      db
        .from('audit_logs')
        .where((where) => {
          where.where({ subject_type: 'license', subject_id: String(license.id) })
          if (license.batchId) {
            where.orWhere({ subject_type: 'license_batch', subject_id: license.batchId })
          }
        })
        .orderBy('id', 'desc')
        .limit(100),
    ])
    return view.render('pages/licenses/show', {
      license,
      status: license.statusAt(now),
      devices,
      live,
      history,
      audit,
    })
  }

  async edit({ view, params }: HttpContext) {
    const license = await License.findOrFail(params.id)
    return view.render('pages/licenses/edit', {
      license,
      policies: this.policyChoices(license.sessionPolicy),
      ...(await this.customerChoices(license.customerId)),
    })
  }

  async update(ctx: HttpContext) {
    const license = await License.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(licenseUpdateValidator)
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

  /**
   * The inline form of a list row: status and limits. The list has no
   * field to show an error beside, so a refusal is a message naming the
   * license and the field.
   */
  async quick(ctx: HttpContext) {
    const { request, session, response, i18n } = ctx
    const license = await License.findOrFail(ctx.params.id)
    const refuse = (message: string) => {
      session.flash('error', i18n.t('licenses.quick_refused', { key: license.key, message }))
      return response.redirect(backTo(request))
    }
    let input
    try {
      input = await request.validateUsing(quickEditValidator)
    } catch (error) {
      if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
      return refuse((error.messages as { message: string }[])[0]?.message ?? '')
    }
    try {
      const result = await this.admin.update(
        license.id,
        { status: input.status, maxDevices: input.max_devices, maxSessions: input.max_sessions },
        adminActor(ctx)
      )
      session.flash(
        'success',
        i18n.t(result.changed ? 'licenses.quick_saved' : 'licenses.quick_unchanged', {
          key: license.key,
        })
      )
    } catch (error) {
      if (!(error instanceof LicenseRuleError)) throw error
      return refuse(
        `${i18n.t(`licenses.fields.${error.field}`)}: ${i18n.t(`licenses.errors.${error.reason}`)}`
      )
    }
    return response.redirect(backTo(request))
  }

  /** Suspends, reactivates or revokes the checked rows, one audit row per license. */
  async bulk(ctx: HttpContext) {
    const { request, session, response, i18n } = ctx
    let input
    try {
      input = await request.validateUsing(bulkValidator)
    } catch (error) {
      if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
      const nothingChecked = !request.input('ids')
      session.flash(
        'error',
        i18n.t(nothingChecked ? 'licenses.bulk_nothing_checked' : 'licenses.bulk_invalid')
      )
      return response.redirect(backTo(request))
    }
    const result = await this.admin.setStatusOfMany(
      input.ids,
      BULK_STATUS[input.action],
      adminActor(ctx)
    )
    session.flash('success', i18n.t('licenses.bulk_done', result))
    return response.redirect(backTo(request))
  }

  async renameDevice(ctx: HttpContext) {
    let name: string | undefined
    try {
      ;({ name } = await ctx.request.validateUsing(deviceRenameValidator))
    } catch (error) {
      if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
      const message = (error.messages as { message: string }[])[0]?.message ?? ''
      ctx.session.flash('error', message)
      return ctx.response.redirect(`/admin/licenses/${ctx.params.id}`)
    }
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
    const result = await this.admin.deactivateDevice(
      Number(ctx.params.id),
      Number(ctx.params.device),
      adminActor(ctx)
    )
    if (result) ctx.session.flash('success', ctx.i18n.t('licenses.device_deactivated'))
    else ctx.session.flash('error', ctx.i18n.t('licenses.device_not_active'))
    return ctx.response.redirect(`/admin/licenses/${ctx.params.id}`)
  }

  /** A rule the service refused, as an error beside its field. */
  protected refused({ session, response, i18n }: HttpContext, error: unknown, back: string) {
    if (!(error instanceof LicenseRuleError)) throw error
    session.flashAll()
    session.flashErrors({ [error.field]: i18n.t(`licenses.errors.${error.reason}`) })
    return response.redirect(back)
  }
}
