import type { HttpContext } from '@adonisjs/core/http'
import { DomainError } from '#exceptions/domain_error'

/**
 * A rule the service refused, shown where the admin looks: beside its field
 * (the form is filled in again with what they typed) or, for a refusal of
 * the whole action, as the page's error. Anything but a `DomainError` is
 * thrown on: it is not a refusal. Without `back`, it goes back to the page the
 * form was sent from (`redirect().back()`).
 */
export function redirectWithRefusal(ctx: HttpContext, error: unknown, back?: string) {
  if (!(error instanceof DomainError)) throw error
  const message = ctx.i18n.t(error.messageKey, error.data)
  if (error.field) {
    ctx.session.flashAll()
    ctx.session.flashErrors({ [error.field]: message })
  } else {
    ctx.session.flash('error', message)
  }
  if (back === undefined) return ctx.response.redirect().back()
  return ctx.response.redirect(back)
}
