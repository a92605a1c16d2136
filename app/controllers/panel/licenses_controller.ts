import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { errors as vineErrors } from '@vinejs/vine'
import { DomainError } from '#exceptions/domain_error'
import LicenseAdminService from '#services/license_admin_service'
import LicenseDetails from '#services/license_details'
import LicenseForms from '#services/license_forms'
import LicenseList from '#services/license_list'
import { PanelExtensions } from '#services/panel_extensions'
import { adminActor } from '#support/actor'
import { sendCsv } from '#support/csv_export'
import { redirectWithRefusal } from '#support/panel_refusals'
import { TEMPLATE_FIELDS } from '#validators/catalogue'
import {
  batchValidator,
  bulkValidator,
  deviceRenameValidator,
  licenseUpdateValidator,
  quickEditValidator,
} from '#validators/panel_licenses'

const BULK_STATUS = { suspend: 'suspended', reactivate: 'active', revoke: 'revoked' } as const

/**
 * Where the list's inline forms return: the list page they were sent from,
 * with its filters (a hidden `back` field; only a panel path is accepted).
 */
function backTo(request: HttpContext['request']) {
  const back = String(request.input('back') ?? '')
  return /^\/admin\/[\w/-]*(\?[^\s\\]*)?$/.test(back) ? back : urlFor('admin.licenses.index')
}

/** The first message of a failed validation. */
function firstMessage(error: InstanceType<typeof vineErrors.E_VALIDATION_ERROR>) {
  return (error.messages as { message: string }[])[0]?.message ?? ''
}

/** Keys shown on the page after a batch; the CSV has them all. */
const KEYS_SHOWN = 500

/**
 * Licenses: the list with its filters and CSV export, single licenses and
 * batches, edits (full and inline), bulk status changes, and a page per
 * license with its devices, sessions and audit trail.
 */
@inject()
export default class LicensesController {
  constructor(
    protected admin: LicenseAdminService,
    protected licenses: LicenseList,
    protected details: LicenseDetails,
    protected forms: LicenseForms,
    protected extensions: PanelExtensions
  ) {}

  async index({ view, request }: HttpContext) {
    return view.render('pages/licenses/index', await this.licenses.page(request))
  }

  /** `GET /admin/licenses/export.csv` with the list's query string: every matching row. */
  async export({ request, response }: HttpContext) {
    const { filename, columns, rows } = await this.licenses.export(request)
    return sendCsv(response, filename, columns, rows)
  }

  async create({ view, request }: HttpContext) {
    const { customer_id: customerId, template_id: templateId } = request.qs()
    return view.render('pages/licenses/new', await this.forms.forNew(customerId, templateId))
  }

  /**
   * One license (its page opens) or a batch (its keys are shown once, in
   * the answer to the POST). The form carries the batch's id, so sending it
   * again (a reload) issues nothing and leads to the batch in the list.
   */
  async store(ctx: HttpContext) {
    const { request, session, response, i18n, view } = ctx
    const input = await request.validateUsing(batchValidator)
    let created: Awaited<ReturnType<LicenseAdminService['issue']>>
    try {
      created = await this.admin.issue(
        {
          productId: input.product_id ?? null,
          templateId: input.template_id ?? null,
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
      return redirectWithRefusal(ctx, error, urlFor('admin.licenses.create'))
    }
    if (created.repeated) {
      session.flash('error', i18n.t('licenses.batch_repeated'))
      return response
        .redirect()
        .toRoute('admin.licenses.index', {}, { qs: { batch_id: created.batchId } })
    }
    if (created.licenseId !== null) {
      session.flash('success', i18n.t('licenses.created_one', { key: created.keys[0] }))
      return response.redirect().toRoute('admin.licenses.show', [created.licenseId])
    }
    return view.render('pages/licenses/batch_created', {
      batchId: created.batchId,
      total: created.keys.length,
      keys: created.keys.slice(0, KEYS_SHOWN),
    })
  }

  async show({ view, params, i18n }: HttpContext) {
    const details = await this.details.of(params.id)
    const cards = await this.extensions.licenseCards(details.license.id, (key, data) =>
      i18n.t(key, data)
    )
    return view.render('pages/licenses/show', { ...details, cards })
  }

  async edit({ view, params }: HttpContext) {
    return view.render('pages/licenses/edit', await this.forms.forEdit(params.id))
  }

  async update(ctx: HttpContext) {
    const license = await this.admin.find(ctx.params.id)
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
          followTemplate: TEMPLATE_FIELDS.filter((field) => input[`follow_${field}`]),
        },
        adminActor(ctx)
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.licenses.edit', [license.id]))
    }
    ctx.session.flash('success', ctx.i18n.t('licenses.saved'))
    return ctx.response.redirect().toRoute('admin.licenses.show', [license.id])
  }

  /**
   * The inline form of a list row: status and limits. The list has no
   * field to show an error beside, so a refusal is a message naming the
   * license and the field.
   */
  async quick(ctx: HttpContext) {
    const { request, session, response, i18n } = ctx
    const license = await this.admin.find(ctx.params.id)
    const refuse = (message: string) => {
      session.flash('error', i18n.t('licenses.quick_refused', { key: license.key, message }))
      return response.redirect(backTo(request))
    }
    let input
    try {
      input = await request.validateUsing(quickEditValidator)
    } catch (error) {
      if (!(error instanceof vineErrors.E_VALIDATION_ERROR)) throw error
      return refuse(firstMessage(error))
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
      if (!(error instanceof DomainError)) throw error
      return refuse(
        `${i18n.t(`licenses.fields.${error.field}`)}: ${i18n.t(error.messageKey, error.data)}`
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
      ctx.session.flash('error', firstMessage(error))
      return ctx.response.redirect().toRoute('admin.licenses.show', [ctx.params.id])
    }
    await this.admin.renameDevice(
      Number(ctx.params.id),
      Number(ctx.params.device),
      name || null,
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t('licenses.device_renamed'))
    return ctx.response.redirect().toRoute('admin.licenses.show', [ctx.params.id])
  }

  async deactivateDevice(ctx: HttpContext) {
    const result = await this.admin.deactivateDevice(
      Number(ctx.params.id),
      Number(ctx.params.device),
      adminActor(ctx)
    )
    if (result) ctx.session.flash('success', ctx.i18n.t('licenses.device_deactivated'))
    else ctx.session.flash('error', ctx.i18n.t('licenses.device_not_active'))
    return ctx.response.redirect().toRoute('admin.licenses.show', [ctx.params.id])
  }
}
