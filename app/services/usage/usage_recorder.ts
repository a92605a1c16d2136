import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import { assertUsableStatus } from '#services/license_service'
import { licenseStatusAt } from '#rules/license_usable'
import License, { type StoredLicenseStatus } from '#models/license'
import { ApiError } from '#exceptions/api_error'
import { Clock } from '#support/clock'
import { normalizeLicenseKey } from '#support/license_keys'
import { preparedQuery } from '#support/prepared_query'
import { NO_PARTITION_FOR_ROW } from '#support/month_partitions'
import { RECORD, STORED_ANSWER } from '#services/usage/usage_statements'
import { announce, eventLicenseOf } from '#support/domain_events'

const UNIQUE_VIOLATION = '23505'
const IDEMPOTENCY_KEY_CONSTRAINT = 'usage_idempotency_keys_pkey'

export interface UsageRecordInput {
  licenseKey: string
  meter: string
  amount: number
  idempotencyKey?: string | null
  apiKeyId?: number | null
}

/** `201` body of `POST /api/license/usage`. */
export interface RecordedUsage {
  meter: string
  amount: number
  used: number
  limit: number | null
  remaining: number | null
  resets_at: string | null
  over_limit: boolean
  recorded_at: string
}

/** What a refused record tells the client (`409 USAGE_LIMIT_REACHED`). */
export interface UsageRefusal {
  limit: number | null
  used: number
  resets_at: string | null
}

export type UsageOutcome =
  | { recorded: true; body: RecordedUsage; replayed: boolean }
  | { recorded: false; refusal: UsageRefusal; replayed: boolean }

/** A row of RECORD (or STORED_ANSWER): the lookup, and record_usage()'s answer when it ran. */
type RecordRow = {
  id: number
  status: StoredLicenseStatus
  expires_at: Date | null
  product_id: number
  expiry_grace_days: number
  usable: boolean
  meter_id: number | null
  answer_status: number
  answer: Record<string, unknown>
  replayed: boolean
  key_meter_id: number
  key_amount: number
}

const errorCode = (error: unknown) => (error as { code?: string }).code
const isKeyTaken = (error: unknown) =>
  errorCode(error) === UNIQUE_VIOLATION &&
  (error as { constraint?: string }).constraint === IDEMPOTENCY_KEY_CONSTRAINT

/**
 * Records metered usage (`POST /api/license/usage`) in one statement
 * (#services/usage/usage_statements): the lookup of the license, the meter,
 * its effective limit and period, and the call of record_usage() (migration
 * 0010), which does everything that must hold under concurrency: the
 * period's counter checked and raised on its locked row, the event logged
 * and the idempotency key stored, or none of it. Here the answer becomes
 * the refusal or the outcome the client reads.
 */
@inject()
export default class UsageRecorder {
  constructor(protected clock: Clock) {}

  async record(input: UsageRecordInput): Promise<UsageOutcome> {
    const now = this.clock.now()
    const licenseKey = normalizeLicenseKey(input.licenseKey)
    const attempt = async (logEvent: boolean) => {
      try {
        const [row] = await preparedQuery<RecordRow>('keyward_usage_record', RECORD, [
          licenseKey,
          input.meter,
          now.toJSDate(),
          input.amount,
          input.idempotencyKey ?? null,
          input.apiKeyId ?? null,
          logEvent,
        ])
        return row
      } catch (error) {
        if (!isKeyTaken(error)) throw error
        const [stored] = await preparedQuery<RecordRow>('keyward_usage_stored', STORED_ANSWER, [
          licenseKey,
          input.idempotencyKey,
          input.meter,
        ])
        return stored
      }
    }
    let row: RecordRow | undefined
    try {
      row = await attempt(true)
    } catch (error) {
      // The event log feeds analytics; a calendar counter counts without it
      // (record_usage() never records a rolling meter's use without its event).
      if (errorCode(error) !== NO_PARTITION_FOR_ROW) throw error
      logger.error({ err: error }, 'usage event not logged: usage_events has no partition')
      row = await attempt(false)
    }

    if (!row) throw new ApiError('LICENSE_NOT_FOUND')
    if (!row.usable) {
      assertUsableStatus(
        licenseStatusAt(
          { status: row.status, expiresAt: row.expires_at, expiryGraceDays: row.expiry_grace_days },
          now
        )
      )
      // The SQL form of the rule refused it; the code's agrees, or the refusal stands.
      throw new ApiError('LICENSE_EXPIRED')
    }
    if (row.meter_id === null) throw new ApiError('METER_NOT_FOUND')
    if (row.replayed && (row.key_meter_id !== row.meter_id || row.key_amount !== input.amount)) {
      throw new ApiError('IDEMPOTENCY_KEY_REUSED')
    }
    const outcome = outcomeOf(row)
    if (!outcome.recorded && !outcome.replayed) {
      this.announceLimitReached(row.id, input.meter, outcome.refusal)
    }
    return outcome
  }

  /**
   * `usage:limit_reached`, off the request's path: the refusal is answered
   * while the license is looked up (the statement returns only its id).
   */
  protected announceLimitReached(licenseId: number, meter: string, refusal: UsageRefusal) {
    License.find(licenseId)
      .then((license) => {
        if (!license) return
        announce('usage:limit_reached', {
          license: eventLicenseOf(license),
          meter,
          limit: refusal.limit ?? 0,
          used: refusal.used,
          resetsAt: refusal.resets_at,
        })
      })
      .catch((error) => logger.error({ err: error }, 'usage:limit_reached not announced'))
  }
}

/** The stored answer in the contract's field order (jsonb keeps its own). */
function outcomeOf(answer: RecordRow): UsageOutcome {
  const stored = answer.answer as Record<string, any>
  if (answer.answer_status !== 201) {
    const refusal = { limit: stored.limit, used: stored.used, resets_at: stored.resets_at }
    return { recorded: false, refusal, replayed: answer.replayed }
  }
  const body: RecordedUsage = {
    meter: stored.meter,
    amount: stored.amount,
    used: stored.used,
    limit: stored.limit,
    remaining: stored.remaining,
    resets_at: stored.resets_at,
    over_limit: stored.over_limit,
    recorded_at: stored.recorded_at,
  }
  return { recorded: true, body, replayed: answer.replayed }
}
