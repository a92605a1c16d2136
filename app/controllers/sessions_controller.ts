import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import SessionService, { type StartedSession } from '#services/session_service'
import HeartbeatService, { type Heartbeat } from '#services/heartbeat_service'
import metrics from '#services/metrics/main'
import { apiActor } from '#controllers/licenses_controller'
import {
  fingerprintOf,
  sessionEndValidator,
  sessionHeartbeatValidator,
  sessionStartValidator,
} from '#validators/license_api'

/**
 * Sessions of the client API (API.md, Sessions). Each action is given only
 * the service it needs (method injection): a heartbeat does not build the
 * parts of a session start.
 */
export default class SessionsController {
  @inject()
  async start(ctx: HttpContext, sessions: SessionService) {
    let session: StartedSession
    try {
      const payload = await ctx.request.validateUsing(sessionStartValidator)
      session = await sessions.start(
        {
          licenseKey: payload.license_key,
          fingerprint: fingerprintOf(payload)!,
          version: payload.version,
          ip: ctx.request.ip(),
        },
        apiActor(ctx)
      )
    } catch (error) {
      metrics.sessionStartFailed(error)
      throw error
    }
    metrics.sessionStarted(session.outcome)
    ctx.response.status(session.resumed ? 200 : 201)
    return {
      session_token: session.token,
      resumed: session.resumed,
      heartbeat_interval: session.timing.heartbeatInterval,
      session_timeout: session.timing.timeout,
      expires_at: session.expiresAt.toISOString(),
      entitlements: session.entitlements,
      ...(session.graceEndsAt ? { grace_ends_at: session.graceEndsAt.toISO() } : {}),
      ...(session.lease ? { lease: session.lease } : {}),
      ...(session.update ? { update: session.update } : {}),
      ...session.extensions,
    }
  }

  @inject()
  async heartbeat(ctx: HttpContext, heartbeats: HeartbeatService) {
    let beat: Heartbeat
    try {
      const payload = await ctx.request.validateUsing(sessionHeartbeatValidator)
      beat = await heartbeats.heartbeat({
        token: payload.session_token,
        licenseKey: payload.license_key,
      })
    } catch (error) {
      metrics.heartbeatFailed(error)
      throw error
    }
    metrics.heartbeat('accepted')
    const { expiresAt, update } = beat
    return { ok: true, expires_at: expiresAt.toISOString(), ...(update ? { update } : {}) }
  }

  @inject()
  async end(ctx: HttpContext, sessions: SessionService) {
    const payload = await ctx.request.validateUsing(sessionEndValidator)
    await sessions.end({ token: payload.session_token })
    return { ended: true }
  }
}
