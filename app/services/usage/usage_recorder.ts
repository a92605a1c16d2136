import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import type { DateTime } from 'luxon'
import License from '#models/license'
import Product from '#models/product'
import type { MeterPeriod, OveragePolicy } from '#models/meter'
import LicenseService from '#services/license_service'
import { ApiError } from '#exceptions/api_error'
import { Clock } from '#support/clock'
import { normalizeLicenseKey } from '#support/license_keys'
import { preparedQuery } from '#support/prepared_query'
import { ceilingOf } from '#services/usage/limits'
import { counterPeriodAt } from '#services/usage/periods'
import { LOOKUP, RECORD, STORED_ANSWER } from '#services/usage/usage_statements'

/** SQLSTATE of "no partition of relation found for row". */
const NO_PARTITION_FOR_ROW = '23514'
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

type LookupRow = {
  id: number
  status: string
  expires_at: Date | null
  product_id: number
  expiry_grace_days: number
  meter_id: number | null
  period: MeterPeriod
  rolling_seconds: number | null
  time_zone: string
  overage: OveragePolicy
  tolerance_percent: number | null
  meter_limit: number | null
}

type AnswerRow = {
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
 * Records metered usage (`POST /api/license/usage`). Everything that must
 * hold under concurrency happens in one call of the database function
 * record_usage() (migration 0010): the counter of the period is checked and
 * raised on its locked row, the event logged and the idempotency key
 * stored, or none of it. This service resolves what the function needs:
 * the license (which must be usable), the meter, its effective limit and
 * period, and the ceiling of its overage policy.
 */
@inject()
export default class UsageRecorder {
  constructor(
    protected clock: Clock,
    protected licenses: LicenseService
  ) {}

  async record(input: UsageRecordInput): Promise<UsageOutcome> {
    const now = this.clock.now()
    const [row] = await preparedQuery<LookupRow>('keyward_usage_lookup', LOOKUP, [
      normalizeLicenseKey(input.licenseKey),
      input.meter,
    ])
    if (!row) throw new ApiError('LICENSE_NOT_FOUND')
    this.licenses.assertUsable(licenseOf(row), now)
    if (row.meter_id === null) throw new ApiError('METER_NOT_FOUND')

    const answer = await this.recordOnce(row, input, now)
    if (
      answer.replayed &&
      (answer.key_meter_id !== row.meter_id || answer.key_amount !== input.amount)
    ) {
      throw new ApiError('IDEMPOTENCY_KEY_REUSED')
    }
    return outcomeOf(answer)
  }

  protected async recordOnce(row: LookupRow, input: UsageRecordInput, now: DateTime) {
    const rolling = row.period === 'rolling'
    const period = counterPeriodAt(
      { period: row.period, timeZone: row.time_zone, rollingSeconds: row.rolling_seconds },
      now
    )
    const values = (logEvent: boolean) => [
      row.id,
      row.meter_id,
      input.meter,
      input.amount,
      now.toJSDate(),
      period.start.toJSDate(),
      period.resetsAt?.toJSDate() ?? null,
      rolling ? row.rolling_seconds : null,
      row.meter_limit,
      ceilingOf(row.meter_limit, { overage: row.overage, tolerancePercent: row.tolerance_percent }),
      input.idempotencyKey ?? null,
      input.apiKeyId ?? null,
      logEvent,
    ]
    const attempt = async (logEvent: boolean) => {
      try {
        const [answer] = await preparedQuery<AnswerRow>(
          'keyward_usage_record',
          RECORD,
          values(logEvent)
        )
        return answer
      } catch (error) {
        if (isKeyTaken(error)) return this.storedAnswer(row.id, input.idempotencyKey!)
        throw error
      }
    }
    try {
      return await attempt(true)
    } catch (error) {
      // The event log feeds analytics; a calendar counter counts without it.
      // A rolling meter counts its events, so it cannot.
      if (errorCode(error) !== NO_PARTITION_FOR_ROW || rolling) throw error
      logger.error({ err: error }, 'usage event not logged: usage_events has no partition')
      return attempt(false)
    }
  }

  /** The answer a twin request with the same key stored first (it has committed). */
  protected async storedAnswer(licenseId: number, idempotencyKey: string) {
    const [answer] = await preparedQuery<AnswerRow>('keyward_usage_stored_answer', STORED_ANSWER, [
      licenseId,
      idempotencyKey,
    ])
    return answer
  }
}

/** The license as its usability needs it: status, expiry and the product's grace. */
function licenseOf(row: LookupRow) {
  const license = License.$createFromAdapterResult({
    id: row.id,
    status: row.status,
    expires_at: row.expires_at,
    product_id: row.product_id,
  })!
  const product = Product.$createFromAdapterResult({
    id: row.product_id,
    expiry_grace_days: row.expiry_grace_days,
  })!
  license.$setRelated('product', product)
  return license
}

/** The stored answer in the contract's field order (jsonb keeps its own). */
function outcomeOf(answer: AnswerRow): UsageOutcome {
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
