import app from '@adonisjs/core/services/app'
import { errors as vineErrors } from '@vinejs/vine'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import { ApiError, type ApiErrorCode } from '#exceptions/api_error'
import { isClientApiRequest } from '#support/client_api'

type ValidationMessage = { field: string; rule: string; message: string }
type ValidationField = { field: string; rule: string; message?: string }

/**
 * Turns every failure on `/api` into the error body of API.md:
 * `{ error: { code, message, ...extra } }`. Nothing else (no stack trace, no
 * SQL, no framework message) ever reaches a client.
 */
export default class HttpExceptionHandler extends ExceptionHandler {
  protected debug = !app.inProduction && !app.inTest

  /**
   * Panel pages that fail show a page of ours, never a stack trace (except
   * on a developer's machine, where `debug` shows the full error).
   */
  protected renderStatusPages = app.inProduction || app.inTest
  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '404': (_, { view }) => view.render('pages/errors/not_found'),
    '500..599': (_, { view }) => view.render('pages/errors/server_error'),
  }

  /**
   * Refusals are the API working as intended, not incidents to log.
   */
  protected ignoreStatuses = [400, 401, 403, 404, 409, 410, 413, 422, 426, 429]

  protected message(ctx: HttpContext, code: ApiErrorCode, own: Partial<Record<string, string>>) {
    return own[ctx.i18n.locale] || ctx.i18n.t(`api.${code}`)
  }

  /** Fields of an `ApiError.invalidField`, worded like VineJS's own. */
  protected wordFields(ctx: HttpContext, fields: ValidationField[]): ValidationMessage[] {
    return fields.map(({ field, rule, message }) => ({
      field,
      rule,
      message:
        message ??
        ctx.i18n.t(`validator.shared.messages.${rule}`, { field }, `The ${field} field is invalid`),
    }))
  }

  protected send(
    ctx: HttpContext,
    status: number,
    code: ApiErrorCode,
    extra: Record<string, unknown> = {},
    messages: Partial<Record<string, string>> = {}
  ) {
    ctx.response
      .status(status)
      .send({ error: { code, message: this.message(ctx, code, messages), ...extra } })
  }

  async handle(error: unknown, ctx: HttpContext) {
    if (!isClientApiRequest(ctx)) {
      return super.handle(error, ctx)
    }

    if (error instanceof ApiError) {
      const extra = error.extra.fields
        ? { ...error.extra, fields: this.wordFields(ctx, error.extra.fields as ValidationField[]) }
        : error.extra
      return this.send(ctx, error.status, error.apiCode, extra, error.messages)
    }

    if (error instanceof vineErrors.E_VALIDATION_ERROR) {
      const fields = (error.messages as ValidationMessage[]).map(({ field, rule, message }) => ({
        field,
        rule,
        message,
      }))
      return this.send(ctx, 422, 'VALIDATION_ERROR', { fields })
    }

    if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
      ctx.response.header('Retry-After', String(error.response.availableIn))
      return this.send(ctx, 429, 'RATE_LIMITED')
    }

    const status = (error as { status?: number })?.status
    const type = (error as { type?: string })?.type
    if (status === 413 || type === 'entity.too.large') {
      return this.send(ctx, 413, 'PAYLOAD_TOO_LARGE')
    }
    if (type === 'entity.parse.failed' || (error as Error)?.name === 'SyntaxError') {
      return this.send(ctx, 400, 'INVALID_JSON')
    }
    if (status === 404) {
      return this.send(ctx, 404, 'NOT_FOUND')
    }
    return this.send(ctx, 500, 'INTERNAL_ERROR')
  }

  async report(error: unknown, ctx: HttpContext) {
    return super.report(error, ctx)
  }
}
