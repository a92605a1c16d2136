import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import LicenseTemplate from '#models/license_template'
import type { ExpiryBasis } from '#models/license'
import type Product from '#models/product'
import AuditTrail from '#services/audit_trail'
import { SessionPolicyRegistry } from '#services/session_policies'
import {
  catalogueRefusal,
  constraintOf,
  refusingConstraints,
  type ConstraintFields,
} from '#services/catalogue/catalogue_refusals'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'

export type TemplateInput = {
  name: string
  description?: string | null
  type: string
  expiryBasis: ExpiryBasis
  maxDevices: number
  maxSessions: number
  /** Null: the default session policy. */
  sessionPolicy?: string | null
  /** Codes of the product's entitlements the template's licenses get. */
  entitlements?: string[]
  /**
   * The template's limit per meter code (null = unlimited); a meter left
   * out keeps its own default limit for the template's licenses.
   */
  meters?: Record<string, number | null>
}

/** What a template writes into the licenses issued from it. */
export type IssueTerms = {
  templateId: number
  productId: number
  type: string
  expiryBasis: ExpiryBasis
  maxDevices: number
  maxSessions: number
  sessionPolicy: string | null
}

export function issueTermsOf(template: LicenseTemplate): IssueTerms {
  return {
    templateId: template.id,
    productId: template.productId,
    type: template.type,
    expiryBasis: template.expiryBasis,
    maxDevices: template.maxDevices,
    maxSessions: template.maxSessions,
    sessionPolicy: template.sessionPolicy,
  }
}

const view = (template: LicenseTemplate) => ({
  product_id: template.productId,
  name: template.name,
  description: template.description,
  type: template.type,
  expiry_basis: template.expiryBasis,
  max_devices: template.maxDevices,
  max_sessions: template.maxSessions,
  session_policy: template.sessionPolicy,
  entitlements: template.entitlements.map((entitlement) => entitlement.code).sort(),
  meters: Object.fromEntries(
    [...template.meters]
      .sort((a, b) => a.code.localeCompare(b.code))
      .map((meter) => [meter.code, meter.$extras.pivot_limit ?? null])
  ),
})

const CONSTRAINT_FIELDS: ConstraintFields = {
  license_templates_name_unique: ['name', 'name_taken'],
  license_templates_max_sessions: ['max_sessions', 'above_max_devices'],
  // A license's own device limit below the template's new session limit (or
  // the reverse), edited between the check below and the update.
  licenses_max_sessions: ['max_sessions', 'conflicts_with_overrides'],
}

/**
 * License templates: named sets of defaults of a product. Licenses issued
 * from a template keep following it: its entitlements and meter limits are
 * read through it (#services/license_entitlements, #services/usage), and a
 * change of its device, session or policy settings is written to each of
 * its licenses that does not override that field, in the same transaction,
 * with one audit row for the template. `type` and `expiry_basis` apply at
 * issue only: changing a template must not move the expiry of licenses
 * already sold.
 */
@inject()
export default class LicenseTemplates {
  constructor(
    protected clock: Clock,
    protected policies: SessionPolicyRegistry,
    protected audit: AuditTrail
  ) {}

  /** The product's templates by name, with their entitlements, meters and `$extras.licenses_count`. */
  async of(productId: number) {
    return LicenseTemplate.query()
      .where('product_id', productId)
      .select('license_templates.*')
      .select(
        db.raw(
          '(SELECT count(*) FROM licenses l WHERE l.template_id = license_templates.id)::int AS licenses_count'
        )
      )
      .preload('entitlements', (query) => query.orderBy('code'))
      .preload('meters', (query) => query.orderBy('code'))
      .orderByRaw('lower(name)')
  }

  /** Every template with its product, for the batch form's choice. */
  async all() {
    return LicenseTemplate.query()
      .preload('product')
      .orderBy('product_id')
      .orderByRaw('lower(name)')
  }

  /** The product's template. @throws E_ROW_NOT_FOUND (a 404 page) when it has none by that id. */
  find(product: Product, id: number | string) {
    return LicenseTemplate.query()
      .where({ productId: product.id, id })
      .preload('entitlements')
      .preload('meters')
      .firstOrFail()
  }

  /** The product's template of that name (case-insensitive), or null. */
  findByName(productId: number, name: string) {
    return LicenseTemplate.query()
      .where('product_id', productId)
      .whereRaw('lower(name) = lower(?)', [name.trim()])
      .first()
  }

  /**
   * Refused with a `DomainError` beside the field: `name_taken`,
   * `above_max_devices`, `unknown_policy`, `unknown_entitlement`,
   * `unknown_meter`.
   */
  async create(product: Product, input: TemplateInput, actor: Actor) {
    this.checkSettings(input, null)
    return refusingConstraints(CONSTRAINT_FIELDS, () =>
      db.transaction(async (trx) => {
        const template = await LicenseTemplate.create(
          { productId: product.id, ...this.settingsOf(input) },
          { client: trx }
        )
        await this.writeCatalogue(trx, template, input)
        await this.loadCatalogue(trx, template)
        await this.audit.record(trx, actor, {
          action: 'license_template.created',
          subjectType: 'license_template',
          subjectId: template.id,
          after: view(template),
        })
        return template
      })
    )
  }

  /**
   * Saves the template and carries its device, session and policy settings
   * to its licenses (those not overriding the field). Lowering the device
   * limit below a license's active devices is allowed, as on a license: the
   * bindings stay, new ones are refused. Refused as `create` is, and with
   * `conflicts_with_overrides` (on `max_sessions`) when a license's own
   * value of one of the two limits would end below the other.
   * `licensesUpdated` says how many licenses changed.
   */
  async update(template: LicenseTemplate, input: TemplateInput, actor: Actor) {
    this.checkSettings(input, template.sessionPolicy)
    return refusingConstraints(CONSTRAINT_FIELDS, () =>
      db.transaction(async (trx) => {
        // Issuing from the template reads it FOR SHARE: no batch lands with the old settings.
        const locked = await LicenseTemplate.query({ client: trx })
          .where('id', template.id)
          .forUpdate()
          .firstOrFail()
        await this.loadCatalogue(trx, locked)
        const before = view(locked)
        locked.merge(this.settingsOf(input))
        await this.assertNoOverrideConflict(trx, locked)
        await locked.save()
        await this.writeCatalogue(trx, locked, input)
        await this.loadCatalogue(trx, locked)
        const after = view(locked)
        if (JSON.stringify(before) === JSON.stringify(after)) {
          return { template: locked, licensesUpdated: 0 }
        }
        const licensesUpdated = await this.propagate(trx, locked)
        const changed = (Object.keys(after) as (keyof typeof after)[]).filter(
          (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])
        )
        await this.audit.record(trx, actor, {
          action: 'license_template.updated',
          subjectType: 'license_template',
          subjectId: locked.id,
          before: Object.fromEntries(changed.map((key) => [key, before[key]])),
          after: {
            ...Object.fromEntries(changed.map((key) => [key, after[key]])),
            licenses_updated: licensesUpdated,
          },
        })
        return { template: locked, licensesUpdated }
      })
    )
  }

  /** Refused with `template_in_use` while licenses use it (the database refuses it too). */
  async delete(template: LicenseTemplate, actor: Actor) {
    try {
      await db.transaction(async (trx) => {
        const locked = await LicenseTemplate.query({ client: trx })
          .where('id', template.id)
          .forUpdate()
          .firstOrFail()
        await this.loadCatalogue(trx, locked)
        const used = await trx.from('licenses').where('template_id', locked.id).count('* as n')
        if (Number(used[0].n) > 0) throw this.inUse(locked, Number(used[0].n))
        const before = view(locked)
        await locked.delete()
        await this.audit.record(trx, actor, {
          action: 'license_template.deleted',
          subjectType: 'license_template',
          subjectId: locked.id,
          before,
        })
      })
    } catch (error) {
      // A license issued from it between the count and the delete.
      if (constraintOf(error) === 'licenses_template_id_foreign') throw this.inUse(template, 1)
      throw error
    }
  }

  protected inUse(template: LicenseTemplate, licenses: number) {
    return catalogueRefusal('template_in_use', {
      data: { name: template.name, licenses },
      message: `The template "${template.name}" is used by ${licenses} licenses`,
    })
  }

  protected settingsOf(input: TemplateInput) {
    return {
      name: input.name.trim(),
      description: input.description ?? null,
      type: input.type,
      // Perpetual licenses never expire, so they count from nothing.
      expiryBasis: input.type === 'perpetual' ? ('creation' as const) : input.expiryBasis,
      maxDevices: input.maxDevices,
      maxSessions: input.maxSessions,
      sessionPolicy: input.sessionPolicy ?? null,
    }
  }

  /** The rules of a license's settings (LicenseAdminService applies the same). */
  protected checkSettings(input: TemplateInput, currentPolicy: string | null) {
    if (input.maxSessions > input.maxDevices) {
      throw catalogueRefusal('above_max_devices', { field: 'max_sessions' })
    }
    // A policy whose plugin was switched off may stay; choosing it anew is refused.
    const policy = input.sessionPolicy ?? null
    if (policy && policy !== currentPolicy && !this.policies.has(policy)) {
      throw catalogueRefusal('unknown_policy', {
        field: 'session_policy',
        data: { policy },
        message: `No enabled plugin provides the session policy "${policy}"`,
      })
    }
  }

  /**
   * Replaces the template's entitlements and meter limits with the input's,
   * by code. The catalogue rows are read `FOR SHARE`, so an entitlement or
   * meter being deleted meanwhile either waits or is refused as unknown.
   */
  protected async writeCatalogue(
    trx: TransactionClientContract,
    template: LicenseTemplate,
    input: TemplateInput
  ) {
    const codes = [...new Set(input.entitlements ?? [])]
    const limits = input.meters ?? {}
    const entitlements = await this.idsByCode(trx, 'entitlements', template.productId, codes)
    const meters = await this.idsByCode(trx, 'meters', template.productId, Object.keys(limits))
    const unknownEntitlement = codes.find((code) => !entitlements.has(code))
    if (unknownEntitlement) {
      throw catalogueRefusal('unknown_entitlement', {
        field: 'entitlements',
        data: { code: unknownEntitlement },
        message: `The product has no entitlement "${unknownEntitlement}"`,
      })
    }
    const unknownMeter = Object.keys(limits).find((code) => !meters.has(code))
    if (unknownMeter) {
      throw catalogueRefusal('unknown_meter', {
        field: 'meters',
        data: { code: unknownMeter },
        message: `The product has no meter "${unknownMeter}"`,
      })
    }
    await trx.from('license_template_entitlements').where('template_id', template.id).delete()
    await trx.from('license_template_meters').where('template_id', template.id).delete()
    if (codes.length > 0) {
      await trx.table('license_template_entitlements').insert(
        codes.map((code) => ({
          template_id: template.id,
          entitlement_id: entitlements.get(code),
        }))
      )
    }
    if (meters.size > 0) {
      await trx.table('license_template_meters').insert(
        Object.entries(limits).map(([code, limit]) => ({
          template_id: template.id,
          meter_id: meters.get(code),
          limit,
        }))
      )
    }
  }

  protected async idsByCode(
    trx: TransactionClientContract,
    table: 'entitlements' | 'meters',
    productId: number,
    codes: string[]
  ) {
    if (codes.length === 0) return new Map<string, number>()
    const rows: { id: number; code: string }[] = await trx
      .from(table)
      .where('product_id', productId)
      .whereIn('code', codes)
      .select('id', 'code')
      .forShare()
    return new Map(rows.map((row) => [row.code, row.id]))
  }

  protected async loadCatalogue(trx: TransactionClientContract, template: LicenseTemplate) {
    template.useTransaction(trx)
    await template.load('entitlements')
    await template.load('meters')
  }

  /**
   * A license keeps its own value of an overridden field; the template's
   * value of the other limit must still fit it (sessions ≤ devices), or the
   * update would fail on that license's check. Refused before anything is
   * written, naming how many licenses are in the way.
   */
  protected async assertNoOverrideConflict(
    trx: TransactionClientContract,
    template: LicenseTemplate
  ) {
    const conflicts = await trx.rawQuery(
      `SELECT count(*)::int AS n FROM licenses
       WHERE template_id = ?
         AND CASE WHEN 'max_sessions' = ANY(template_overrides) THEN max_sessions ELSE ? END
           > CASE WHEN 'max_devices' = ANY(template_overrides) THEN max_devices ELSE ? END`,
      [template.id, template.maxSessions, template.maxDevices]
    )
    const count = conflicts.rows[0].n as number
    if (count > 0) {
      throw catalogueRefusal('conflicts_with_overrides', {
        field: 'max_sessions',
        data: { count },
        message: `${count} licenses of this template keep their own device or session limit, which the new limits would contradict`,
      })
    }
  }

  /**
   * Writes the template's device, session and policy settings to its
   * licenses, each field only where the license does not override it, and
   * only to licenses that differ. Returns how many licenses changed. The
   * default policy (null) is bound as '' (no policy has that name): the
   * driver's bindings take no null.
   */
  protected async propagate(trx: TransactionClientContract, template: LicenseTemplate) {
    const { maxDevices, maxSessions } = template
    const sessionPolicy = template.sessionPolicy ?? ''
    const result = await trx.rawQuery(
      `UPDATE licenses SET
         max_devices = CASE WHEN 'max_devices' = ANY(template_overrides) THEN max_devices ELSE ? END,
         max_sessions = CASE WHEN 'max_sessions' = ANY(template_overrides) THEN max_sessions ELSE ? END,
         session_policy = CASE WHEN 'session_policy' = ANY(template_overrides) THEN session_policy ELSE NULLIF(?, '') END,
         updated_at = ?
       WHERE template_id = ?
         AND ((max_devices <> ? AND NOT 'max_devices' = ANY(template_overrides))
           OR (max_sessions <> ? AND NOT 'max_sessions' = ANY(template_overrides))
           OR (session_policy IS DISTINCT FROM NULLIF(?, '') AND NOT 'session_policy' = ANY(template_overrides)))`,
      [
        maxDevices,
        maxSessions,
        sessionPolicy,
        this.clock.now().toJSDate(),
        template.id,
        maxDevices,
        maxSessions,
        sessionPolicy,
      ]
    )
    return result.rowCount as number
  }
}
