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

/** A violated constraint's name, as the field it concerns and the reason it is refused for. */
export type ConstraintFields = Record<string, [field: string, reason: string]>

/**
 * Runs `work`, throwing a violation of one of `fields`' constraints as the
 * refusal it stands for, beside its field, instead of a database error.
 */
export async function refusingConstraints<T>(
  fields: ConstraintFields,
  work: () => Promise<T>
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    const rule = fields[constraintOf(error) ?? '']
    if (rule) throw catalogueRefusal(rule[1], { field: rule[0] })
    throw error
  }
}
