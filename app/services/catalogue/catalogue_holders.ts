import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** The tables that hold a row of each catalogue table, by the column naming it. */
const HOLDERS = {
  entitlements: {
    column: 'entitlement_id',
    templates: 'license_template_entitlements',
    licenses: 'license_entitlements',
  },
  meters: {
    column: 'meter_id',
    templates: 'license_template_meters',
    licenses: 'license_meter_limits',
  },
} as const

/**
 * Locks an entitlement or meter (`FOR UPDATE`) and counts the templates and
 * the licenses that hold it. The lock keeps the count exact until the
 * transaction ends: template saves read the catalogue rows `FOR SHARE`.
 * @throws E_ROW_NOT_FOUND when the row is gone.
 */
export async function lockAndCountHolders(
  trx: TransactionClientContract,
  table: keyof typeof HOLDERS,
  id: number
) {
  const { column, templates, licenses } = HOLDERS[table]
  await trx.from(table).where('id', id).forUpdate().firstOrFail()
  const templateRows = await trx.from(templates).where(column, id).count('* as n')
  const licenseRows = await trx.from(licenses).where(column, id).count('* as n')
  return { templates: Number(templateRows[0].n), licenses: Number(licenseRows[0].n) }
}
