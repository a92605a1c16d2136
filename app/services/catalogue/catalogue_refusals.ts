import { DomainError } from '#exceptions/domain_error'

/**
 * A change to a product's catalogue that its rules refuse: a `DomainError`
 * whose code is the reason, shown beside `field` (or at the top of the
 * page without one) with the message `catalogue.errors.<reason>`.
 */
export function catalogueRefusal(
  reason: string,
  options: { field?: string; data?: Record<string, unknown>; message?: string } = {}
) {
  return new DomainError(reason, {
    field: options.field,
    data: options.data,
    messageKey: `catalogue.errors.${reason}`,
    message: options.message,
  })
}

/** The violated constraint's name, if the error is one. */
export const constraintOf = (error: unknown) =>
  (error as { constraint?: string })?.constraint ?? null
