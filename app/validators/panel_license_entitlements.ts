import vine from '@vinejs/vine'

/**
 * Where an admin sets a license on one entitlement: granted or withdrawn
 * whatever its template says, or following its template again.
 */
export const licenseEntitlementValidator = vine.create({
  own: vine.enum(['granted', 'withdrawn', 'template'] as const),
})
