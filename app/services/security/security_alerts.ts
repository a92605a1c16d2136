import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { AutomaticAction } from '#config/security'
import { DomainError } from '#exceptions/domain_error'
import License from '#models/license'
import SecurityAlert, { type AlertStatus } from '#models/security_alert'
import SecurityAlertAction from '#models/security_alert_action'
import AuditTrail from '#services/audit_trail'
import BlockedIpService from '#services/blocked_ip_service'
import LicenseService from '#services/license_service'
import SessionService from '#services/session_service'
import { announce, eventLicenseOf } from '#support/domain_events'
import type { Finding } from '#services/security/detectors'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'

/** The system actor of automatic actions (audit rows say which job acted). */
export const DETECTOR_ACTOR: Actor = { type: 'system', label: 'security:detect' }

export interface RaiseOutcome {
  alertId: number
  opened: boolean
  evidenceAdded: number
}

/**
 * Alerts: opening them from findings (one unresolved alert per rule and
 * subject, evidence appended), the admin's acknowledging and resolving,
 * and the actions taken about them, automatic or by hand, each reversible
 * where something lasting was done (a block, a suspension) and each audited.
 * Actions go through the core's own services (BlockedIpService,
 * LicenseService#setStatus, SessionService#forceEnd), so their own audit
 * rows and side effects apply as for any admin.
 */
@inject()
export default class SecurityAlerts {
  constructor(
    protected clock: Clock,
    protected audit: AuditTrail,
    protected blockedIps: BlockedIpService,
    protected licenses: LicenseService,
    protected sessions: SessionService
  ) {}

  /**
   * Opens an alert for a finding, or appends its new evidence to the
   * unresolved alert of the same rule and subject. A finding with nothing
   * newer than the subject's last resolved alert opens nothing: resolving
   * is not undone by the evidence that was already judged.
   */
  async raise(finding: Finding): Promise<RaiseOutcome | null> {
    const now = this.clock.now().toJSDate()
    const outcome = await db.transaction(async (trx) => {
      const resolved = await trx
        .from('security_alerts')
        .where({ rule: finding.rule, subject: finding.subject, status: 'resolved' })
        .max('resolved_at as at')
        .first()
      const resolvedAt: Date | null = resolved?.at ?? null
      const evidence = resolvedAt
        ? finding.evidence.filter((item) => item.at > resolvedAt)
        : finding.evidence
      if (evidence.length === 0) return null

      const lastSeen = new Date(Math.max(...evidence.map((item) => item.at.getTime())))
      const { rows } = await trx.rawQuery(
        `INSERT INTO security_alerts
           (rule, subject, status, severity, summary, license_id, product_id, ip, opened_at, last_seen_at)
         VALUES (?, ?, 'open', ?, ?, NULLIF(?, 0), NULLIF(?, 0), NULLIF(?, '')::inet, ?, ?)
         ON CONFLICT (rule, subject) WHERE status <> 'resolved'
         DO UPDATE SET summary = EXCLUDED.summary,
           last_seen_at = GREATEST(security_alerts.last_seen_at, EXCLUDED.last_seen_at)
         RETURNING id, (xmax = 0) AS opened`,
        [
          finding.rule,
          finding.subject,
          finding.severity,
          finding.summary.slice(0, 300),
          finding.licenseId ?? 0,
          finding.productId ?? 0,
          finding.ip ?? '',
          now,
          lastSeen,
        ]
      )
      const { id: alertId, opened } = rows[0] as { id: number; opened: boolean }
      const added = await this.appendEvidence(trx, alertId, evidence)
      return { alertId, opened, evidenceAdded: added }
    })
    if (outcome?.opened) await this.announceAndAct(outcome.alertId, finding)
    return outcome
  }

  protected async appendEvidence(
    trx: TransactionClientContract,
    alertId: number,
    evidence: Finding['evidence']
  ) {
    const { rows } = await trx.rawQuery(
      `INSERT INTO security_alert_evidence
         (alert_id, source, at, kind, license_id, ip, fingerprint_digest, details)
       SELECT ?, item.source, item.at, item.kind, item.license_id, item.ip::inet,
         item.fingerprint_digest, item.details
       FROM jsonb_to_recordset(?::jsonb) AS item(source text, at timestamptz, kind text,
         license_id bigint, ip text, fingerprint_digest text, details jsonb)
       ON CONFLICT (alert_id, source) DO NOTHING
       RETURNING id`,
      [
        alertId,
        JSON.stringify(
          evidence.map((item) => ({
            source: item.source,
            at: item.at.toISOString(),
            kind: item.kind,
            license_id: item.licenseId,
            ip: item.ip,
            fingerprint_digest: item.fingerprintDigest,
            details: item.details,
          }))
        ),
      ]
    )
    if (rows.length > 0) {
      await trx
        .from('security_alerts')
        .where('id', alertId)
        .increment('evidence_count', rows.length)
    }
    return rows.length
  }

  /** A new alert: announced (`security:alert_opened`), then the rule's automatic actions. */
  protected async announceAndAct(alertId: number, finding: Finding) {
    const license = finding.licenseId ? await License.find(finding.licenseId) : null
    announce('security:alert_opened', {
      alertId,
      rule: finding.rule,
      severity: finding.severity,
      summary: finding.summary,
      license: license ? eventLicenseOf(license) : null,
      ip: finding.ip,
    })
    for (const action of finding.actions ?? []) {
      try {
        await this.act(alertId, action, DETECTOR_ACTOR, true)
      } catch (error) {
        // One action that cannot be taken (nothing to block, a database hiccup) stops neither
        // the others nor the detectors' run; the alert is open either way for an admin to act.
        if (error instanceof DomainError) {
          logger.info({ alertId, action, code: error.code }, 'automatic action not taken')
        } else {
          logger.error({ err: error, alertId, action }, 'automatic action failed')
        }
      }
    }
  }

  /**
   * Takes an action about an alert: blocks its address, suspends its
   * license, or ends the license's live sessions. Refused (`DomainError`)
   * when the alert has no subject for it.
   */
  async act(alertId: number, action: AutomaticAction, actor: Actor, automatic = false) {
    const alert = await SecurityAlert.findOrFail(alertId)
    const details = await this.perform(alert, action, actor)
    await db.transaction(async (trx) => {
      const row = await SecurityAlertAction.create(
        {
          alertId: alert.id,
          action,
          automatic,
          details,
          createdBy: actor.label ?? null,
          createdAt: this.clock.now(),
        },
        { client: trx }
      )
      await this.audit.record(trx, actor, {
        action: 'security_alert.action_taken',
        subjectType: 'security_alert',
        subjectId: alert.id,
        after: { action_id: row.id, action, automatic, ...details },
      })
    })
  }

  protected async perform(
    alert: SecurityAlert,
    action: AutomaticAction,
    actor: Actor
  ): Promise<Record<string, unknown>> {
    if (action === 'block_ip') {
      if (!alert.ip) throw new DomainError('no_ip', { messageKey: 'security.alerts.no_ip' })
      const blocked = await this.blockedIps.block(
        {
          network: alert.ip,
          reason: `Security alert #${alert.id} (${alert.rule})`,
          createdBy: actor.label ?? null,
        },
        actor.type === 'admin' ? (actor.ip ?? null) : null,
        actor
      )
      return { blocked_ip_id: blocked.id, network: blocked.network }
    }
    const license = alert.licenseId ? await License.find(alert.licenseId) : null
    if (!license) throw new DomainError('no_license', { messageKey: 'security.alerts.no_license' })
    if (action === 'suspend_license') {
      const result = await this.licenses.setStatus(license.key, 'suspended', actor)
      return {
        license_id: license.id,
        previous_status: license.status,
        changed: result.changed,
        sessions_ended: result.sessionsEnded,
      }
    }
    const live = await db
      .from('license_sessions')
      .where('license_id', license.id)
      .select('id')
      .orderBy('id')
    let ended = 0
    for (const { id } of live) if (await this.sessions.forceEnd(Number(id), actor)) ended++
    return { license_id: license.id, sessions_ended: ended }
  }

  /**
   * Undoes an action: unblocks the address, gives the license back the
   * status it had (when it is still the suspension's). Ended sessions have
   * nothing to undo: their clients start new ones. Audited.
   */
  async reverse(actionId: number, actor: Actor, alertId?: number) {
    const action = await SecurityAlertAction.findOrFail(actionId)
    if (alertId !== undefined && action.alertId !== alertId) {
      throw new DomainError('not_found', { messageKey: 'security.alerts.not_found' })
    }
    if (action.reversedAt) {
      throw new DomainError('already_reversed', { messageKey: 'security.alerts.already_reversed' })
    }
    if (action.action === 'end_sessions') {
      throw new DomainError('not_reversible', { messageKey: 'security.alerts.not_reversible' })
    }
    const details = action.details as Record<string, unknown>
    const undone: Record<string, unknown> = {}
    if (action.action === 'block_ip' && details.blocked_ip_id) {
      const still = await db.from('blocked_ips').where('id', Number(details.blocked_ip_id)).first()
      if (still) await this.blockedIps.unblock(Number(details.blocked_ip_id), actor)
      undone.unblocked = Boolean(still)
    }
    if (action.action === 'suspend_license' && details.changed) {
      const license = await License.findOrFail(details.license_id)
      const restore = (details.previous_status as 'active' | 'suspended' | 'revoked') ?? 'active'
      const restorable = license.status === 'suspended'
      if (restorable) await this.licenses.setStatus(license.key, restore, actor)
      undone.status_restored = restorable ? restore : null
    }
    await db.transaction(async (trx) => {
      const updated = await trx
        .from('security_alert_actions')
        .where('id', action.id)
        .whereNull('reversed_at')
        .update({ reversed_at: this.clock.now().toJSDate(), reversed_by: actor.label ?? null })
      if (Number(updated) === 0) {
        throw new DomainError('already_reversed', {
          messageKey: 'security.alerts.already_reversed',
        })
      }
      await this.audit.record(trx, actor, {
        action: 'security_alert.action_reversed',
        subjectType: 'security_alert',
        subjectId: action.alertId,
        before: { action_id: action.id, action: action.action, ...details },
        after: undone,
      })
    })
  }

  /** Moves an alert to `acknowledged` or `resolved` (resolving is final), audited. */
  async setStatus(alertId: number, status: Exclude<AlertStatus, 'open'>, actor: Actor) {
    return db.transaction(async (trx) => {
      const alert = await SecurityAlert.query({ client: trx })
        .where('id', alertId)
        .forUpdate()
        .firstOrFail()
      const before = alert.status
      if (before === status || before === 'resolved') return false
      const now = this.clock.now()
      alert.useTransaction(trx)
      alert.status = status
      if (status === 'acknowledged') {
        alert.acknowledgedAt = now
        alert.acknowledgedBy = actor.label ?? null
      } else {
        alert.resolvedAt = now
        alert.resolvedBy = actor.label ?? null
      }
      await alert.save()
      await this.audit.record(trx, actor, {
        action: `security_alert.${status}`,
        subjectType: 'security_alert',
        subjectId: alert.id,
        before: { status: before },
        after: { status },
      })
      return true
    })
  }
}
