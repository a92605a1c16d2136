import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import i18nManager from '@adonisjs/i18n/services/main'
import { errors as vineErrors } from '@vinejs/vine'
import { errors as limiterErrors } from '@adonisjs/limiter'
import { errors as shieldErrors } from '@adonisjs/shield'
import { type HttpContext, ExceptionHandler } from '@adonisjs/core/http'
import type { StatusPageRange, StatusPageRenderer } from '@adonisjs/core/types/http'
import { ApiError, type ApiErrorCode, type RefusalSubject } from '#exceptions/api_error'
import { SecurityEventRecorder } from '#services/security/security_event_recorder'
import { refusalEvent } from '#services/security/refusal_events'
import { fingerprintDigest } from '#services/security/security_events'
import { announce } from '#support/domain_events'
import ServiceHealth from '#services/service_health'
import metrics from '#services/metrics/main'
import { isClientApiRequest } from '#support/client_api'
import { RETRY_AFTER_SECONDS, unavailableDependencyOf } from '#support/unavailable'

type ValidationMessage = { field: string; rule: string; message: string }
type ValidationField = { field: string; rule: string; message?: string }

const statusPage =
  (kind: string): StatusPageRenderer =>
  (_, { view }) =>
    view.render('pages/errors/status', { kind })

/**
 * Turns every failure on `/api` into the error body of API.md:
 * `{ error: { code, message, ...extra } }`. Nothing else (no stack trace, no
 * SQL, no framework message) ever reaches a client.
 */
@inject()
export default class HttpExceptionHandler extends ExceptionHandler {
  constructor(
    protected health: ServiceHealth,
    protected securityEvents: SecurityEventRecorder
  ) {
    super()
  }

  protected debug = !app.inProduction && !app.inTest

  /**
   * Panel pages that fail show a page of ours, never a stack trace or the
   * framework's bare `<p>` message. Only a developer's machine shows server
   * faults (5xx) in full, through `debug`.
   */
  protected renderStatusPages = true
  protected statusPages: Record<StatusPageRange, StatusPageRenderer> = {
    '400': statusPage('bad_request'),
    '404': (_, { view }) => view.render('pages/errors/not_found'),
    '413': statusPage('too_large'),
    ...(this.debug
      ? {}
      : { '500..599': (_, { view }) => view.render('pages/errors/server_error') }),
  }

  /**
   * Refusals are the API working as intended, not incidents to log. Outages
   * (503) are logged once, by ServiceHealth.
   */
  protected ignoreStatuses = [400, 401, 403, 404, 409, 410, 413, 422, 426, 429, 503]

  /** Outside the API, before the locale was picked (a failing server middleware). */
  protected i18nOf(ctx: HttpContext) {
    return ctx.i18n ?? i18nManager.locale(i18nManager.defaultLocale)
  }

  protected message(ctx: HttpContext, code: ApiErrorCode, own: Partial<Record<string, string>>) {
    const i18n = this.i18nOf(ctx)
    return own[i18n.locale] || i18n.t(`api.${code}`)
  }

  /** Fields of an `ApiError.invalidField`, worded like VineJS's own. */
  protected wordFields(ctx: HttpContext, fields: ValidationField[]): ValidationMessage[] {
    return fields.map(({ field, rule, message }) => ({
      field,
      rule,
      message:
        message ??
        this.i18nOf(ctx).t(
          `validator.shared.messages.${rule}`,
          { field },
          `The ${field} field is invalid`
        ),
    }))
  }

  protected send(
    ctx: HttpContext,
    status: number,
    code: ApiErrorCode,
    extra: Record<string, unknown> = {},
    messages: Partial<Record<string, string>> = {}
  ) {
    if (status < 500) metrics.apiRefused(code)
    ctx.response
      .status(status)
      .send({ error: { code, message: this.message(ctx, code, messages), ...extra } })
  }

  async handle(error: unknown, ctx: HttpContext) {
    if ((error as { status?: number })?.status === 413) closeWithoutReading(ctx)
    const unavailable = unavailableDependencyOf(error)
    if (unavailable) {
      // Errors of a connection that died (a restart) say so before the pool notices.
      if (unavailable === 'database') this.health.markDown('database', error as Error)
      return this.renderUnavailable(ctx)
    }
    if (!isClientApiRequest(ctx)) {
      if (error instanceof shieldErrors.E_BAD_CSRF_TOKEN) return this.formExpired(ctx)
      return super.handle(error, ctx)
    }

    if (error instanceof ApiError) {
      this.recordRefusal(ctx, error.apiCode, error.subject)
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
      this.recordRefusal(ctx, 'RATE_LIMITED')
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

  /**
   * The one place client API refusals become security events: buffered,
   * never awaited (SecurityEventRecorder). A device or session limit that
   * refused a known license is also announced (`license:limit_reached`),
   * unthrottled: listeners throttle as they need.
   */
  protected recordRefusal(ctx: HttpContext, code: ApiErrorCode, subject?: RefusalSubject) {
    const event = refusalEvent(ctx, code, subject)
    if (!event) return
    this.securityEvents.record(event)
    if (subject?.license && subject.limit) {
      announce('license:limit_reached', {
        license: subject.license,
        limit: subject.limit.kind,
        max: subject.limit.max,
        fingerprintDigest: event.fingerprint ? fingerprintDigest(event.fingerprint) : null,
        ip: event.ip ?? null,
      })
    }
  }

  /**
   * PostgreSQL or Redis is away: `503` with `Retry-After`, as the API's
   * error body or as a page, whatever the request. Recovery needs no
   * restart: the clients reconnect on their own.
   */
  protected async renderUnavailable(ctx: HttpContext) {
    ctx.response.header('Retry-After', String(RETRY_AFTER_SECONDS))
    if (isClientApiRequest(ctx)) return this.send(ctx, 503, 'SERVICE_UNAVAILABLE')
    const page = await ctx.view.render('pages/errors/status', {
      kind: 'unavailable',
      retryHref: ctx.request.method() === 'GET' ? ctx.request.url(true) : null,
    })
    ctx.response.status(503).header('Cache-Control', 'no-store').send(page)
  }

  /**
   * A form posted with a stale or missing CSRF token (its session expired,
   * or Redis lost it): back to the form with a message and what was typed
   * (never the password). Only a path of this panel is followed from the
   * Referer, so the redirect cannot lead elsewhere.
   */
  protected formExpired(ctx: HttpContext) {
    const { session, request, response } = ctx
    session.flashExcept(['_csrf', 'password', 'password_confirmation', 'current_password'])
    session.flash('error', this.i18nOf(ctx).t('panel.auth.form_expired'))
    return response.redirect(formPageOf(request.header('referer'), request.host(), request.url()))
  }

  async report(error: unknown, ctx: HttpContext) {
    if (unavailableDependencyOf(error)) return
    return super.report(error, ctx)
  }
}

/** How long a client has to read a 413 before its connection is closed. */
const LINGER_MS = 2000

/**
 * Refuses a body without reading it. Node would otherwise go on reading
 * the upload after the answer, to find the next request on the connection:
 * a 50 MB body cost 50 MB of reading and as much garbage. Instead the body
 * is left unread (`read(0)` marks it taken, so Node does not drain it); once
 * the answer is out the socket stops reading and is half-closed, so the
 * client knows not to send another request on it; it is destroyed a moment
 * later, once the client has had time to read the answer (destroying it at
 * once could reset the connection under the answer, as unread data makes
 * TCP send a reset).
 */
function closeWithoutReading(ctx: HttpContext) {
  const request = ctx.request.request
  const response = ctx.response.response
  request.read(0)
  response.once('finish', () => {
    setImmediate(() => request.socket.pause().end())
    setTimeout(() => request.socket.destroy(), LINGER_MS).unref()
  })
}

/**
 * Where a form that failed its CSRF check came from: the Referer's path
 * when it is a page of this panel on this host; otherwise the login form for
 * the login steps, and the dashboard for the rest.
 */
export function formPageOf(referer: string | undefined, host: string | null, postedTo: string) {
  if (referer) {
    try {
      const url = new URL(referer)
      if (url.host === host && /^\/admin(\/|$)/.test(url.pathname)) {
        return url.pathname + url.search
      }
    } catch {}
  }
  return postedTo.startsWith('/admin/login') ? '/admin/login' : '/admin'
}
