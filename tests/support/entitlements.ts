import db from '@adonisjs/lucid/services/db'
import Entitlement from '#models/entitlement'
import type License from '#models/license'
import LicenseTemplate from '#models/license_template'
import type Product from '#models/product'
import { unique } from '#tests/support/fixtures'

/** A product's catalogue: one entitlement per code, by code. */
export async function createEntitlements(product: Product, codes: string[]) {
  const rows = await Entitlement.createMany(
    codes.map((code) => ({ productId: product.id, code, name: `Feature ${code}` }))
  )
  return Object.fromEntries(rows.map((row) => [row.code, row]))
}

/** A perpetual template of the product (two devices, one session) that includes the entitlements. */
export async function templateEntitling(product: Product, entitlements: Entitlement[]) {
  const template = await LicenseTemplate.create({
    productId: product.id,
    name: unique('Pro'),
    type: 'perpetual',
    expiryBasis: 'creation',
    maxDevices: 2,
    maxSessions: 1,
  })
  await template.related('entitlements').attach(entitlements.map((row) => row.id))
  return template
}

/** The license's own grant (true) or withdrawal (false) of an entitlement. */
export async function setOwnEntitlement(
  license: License,
  entitlement: Entitlement,
  granted: boolean
) {
  await db
    .table('license_entitlements')
    .insert({ license_id: license.id, entitlement_id: entitlement.id, granted })
}
