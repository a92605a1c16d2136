import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import License from '#models/license'
import Entitlement from '#models/entitlement'
import AuditTrail from '#services/audit_trail'
import { DomainError } from '#exceptions/domain_error'
import { licenseEntitledSql } from '#rules/license_entitled'
import type { Actor } from '#support/actor'

/**
 * A license's own say on one entitlement: granted on top of its template,
 * withdrawn from it, or none (it follows its template).
 */
export type OwnEntitlement = 'granted' | 'withdrawn' | null

/** One entitlement of the product as the license page shows it. */
export interface EntitlementStanding {
  id: number
  code: string
  name: string
  description: string | null
  inTemplate: boolean
  own: OwnEntitlement
  effective: boolean
}

/**
 * The effective codes of some licenses. Codes sort byte-wise
 * (`COLLATE "C"`), as JavaScript's sort does, whatever the database's locale.
 */
const EFFECTIVE_SQL = `
  SELECT l.id AS license_id, e.code
  FROM licenses l
  JOIN entitlements e ON e.product_id = l.product_id
  WHERE l.id = ANY(?::bigint[]) AND ${licenseEntitledSql('l', 'e')}
  ORDER BY l.id, e.code COLLATE "C"`

const AUDIT_ACTIONS = {
  granted: 'license.entitlement_granted',
  withdrawn: 'license.entitlement_withdrawn',
  reset: 'license.entitlement_reset',
} as const

function ownOf(granted: boolean | null | undefined): OwnEntitlement {
  if (granted === null || granted === undefined) return null
  return granted ? 'granted' : 'withdrawn'
}

/**
 * Entitlements as licenses have them: (the template's ∪ the license's
 * grants) − its withdrawals, computed at read time from the catalogue, so a
 * changed template changes its licenses at once (docs/decisions/0016).
 * Admins grant, withdraw or reset (follow the template again) one
 * entitlement of one license at a time, audited.
 */
@inject()
export default class LicenseEntitlements {
  constructor(protected audit: AuditTrail) {}

  /** The license's effective entitlement codes, sorted. */
  async effectiveFor(license: Pick<License, 'id'>, client?: QueryClientContract) {
    const byLicense = await this.effectiveForMany([license.id], client)
    return byLicense.get(license.id)!
  }

  /**
   * The effective codes of many licenses in one query, by license id; every
   * id asked for has an entry (an empty list when it has none).
   */
  async effectiveForMany(licenseIds: readonly number[], client?: QueryClientContract) {
    const byLicense = new Map<number, string[]>(licenseIds.map((id) => [id, []]))
    if (licenseIds.length === 0) return byLicense
    const { rows } = await (client ?? db).rawQuery<{
      rows: { license_id: string | number; code: string }[]
    }>(EFFECTIVE_SQL, [[...licenseIds]])
    for (const row of rows) byLicense.get(Number(row.license_id))?.push(row.code)
    return byLicense
  }

  /**
   * The license page's entitlements section: the license's template (id
   * and name, or null) and every entitlement of its product with where the
   * license stands on it, by code.
   */
  async standingsOf(license: Pick<License, 'id' | 'productId' | 'templateId'>) {
    const template = license.templateId
      ? await db
          .from('license_templates')
          .where('id', license.templateId)
          .select('id', 'name')
          .first()
      : null
    const rows = await db
      .from('entitlements as e')
      .leftJoin('license_entitlements as own', (join) => {
        join.on('own.entitlement_id', 'e.id').andOnVal('own.license_id', license.id)
      })
      .where('e.product_id', license.productId)
      .select('e.id', 'e.code', 'e.name', 'e.description', 'own.granted')
      .select(
        db.raw(
          `EXISTS (SELECT 1 FROM license_template_entitlements t
            WHERE t.template_id = ? AND t.entitlement_id = e.id) AS in_template`,
          [license.templateId]
        )
      )
      .orderByRaw('e.code COLLATE "C"')
    const standings = rows.map((row): EntitlementStanding => {
      const own = ownOf(row.granted)
      return {
        id: row.id,
        code: row.code,
        name: row.name,
        description: row.description,
        inTemplate: row.in_template,
        own,
        effective: own === null ? row.in_template : own === 'granted',
      }
    })
    return { template: (template ?? null) as { id: number; name: string } | null, standings }
  }

  /** Grants the entitlement to the license, whatever its template says. */
  grant(licenseId: number, entitlementId: number, actor: Actor) {
    return this.setOwn(licenseId, entitlementId, 'granted', actor)
  }

  /** Withdraws the entitlement from the license, whatever its template says. */
  withdraw(licenseId: number, entitlementId: number, actor: Actor) {
    return this.setOwn(licenseId, entitlementId, 'withdrawn', actor)
  }

  /** Drops the license's own grant or withdrawal: it follows its template again. */
  reset(licenseId: number, entitlementId: number, actor: Actor) {
    return this.setOwn(licenseId, entitlementId, null, actor)
  }

  /**
   * Sets the license's own row for one entitlement, with the license row
   * locked like every admin change of a license. Nothing changes (and
   * nothing is audited) when the license already stands there.
   *
   * @returns whether anything changed
   * @throws DomainError `unknown_entitlement` when the entitlement is not
   * in the catalogue of the license's product
   */
  protected async setOwn(
    licenseId: number,
    entitlementId: number,
    own: OwnEntitlement,
    actor: Actor
  ) {
    return db.transaction(async (trx) => {
      const license = await License.query({ client: trx })
        .where('id', licenseId)
        .forUpdate()
        .firstOrFail()
      const entitlement = await Entitlement.query({ client: trx })
        .where({ id: entitlementId, productId: license.productId })
        .first()
      if (!entitlement) {
        throw new DomainError('unknown_entitlement', {
          messageKey: 'license_entitlements.errors.unknown_entitlement',
        })
      }
      const before = await this.ownRow(trx, license.id, entitlement.id)
      if (before === own) return false

      if (own === null) {
        await trx
          .from('license_entitlements')
          .where({ license_id: license.id, entitlement_id: entitlement.id })
          .delete()
      } else {
        await trx
          .table('license_entitlements')
          .insert({
            license_id: license.id,
            entitlement_id: entitlement.id,
            granted: own === 'granted',
          })
          .onConflict(['license_id', 'entitlement_id'])
          .merge(['granted'])
      }
      const effective = await this.effectiveFor(license, trx)
      await this.audit.record(trx, actor, {
        action: AUDIT_ACTIONS[own ?? 'reset'],
        subjectType: 'license',
        subjectId: license.id,
        before: { entitlement: entitlement.code, own: before },
        after: { entitlement: entitlement.code, own, entitlements: effective },
      })
      return true
    })
  }

  protected async ownRow(trx: TransactionClientContract, licenseId: number, entitlementId: number) {
    const row = await trx
      .from('license_entitlements')
      .where({ license_id: licenseId, entitlement_id: entitlementId })
      .select('granted')
      .first()
    return ownOf(row?.granted)
  }
}
