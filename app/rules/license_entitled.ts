/**
 * "The license has the entitlement" (docs/decisions/0016): the license's
 * own row decides when it has one (`granted` true or false), else whether
 * its template includes the entitlement. So the effective entitlements are
 * (the template's ∪ the grants) − the withdrawals, and a license without a
 * template has only its grants. The entitlement must be of the license's
 * product: callers join `entitlements` on `product_id`.
 *
 * One statement of the rule for every query that needs it: a license's
 * codes (LicenseEntitlements), counts per entitlement (analytics).
 */
export function licenseEntitledSql(license = 'licenses', entitlement = 'entitlements') {
  return `coalesce(
    (SELECT own.granted FROM license_entitlements own
      WHERE own.license_id = ${license}.id AND own.entitlement_id = ${entitlement}.id),
    EXISTS (SELECT 1 FROM license_template_entitlements t
      WHERE t.template_id = ${license}.template_id AND t.entitlement_id = ${entitlement}.id)
  )`
}
