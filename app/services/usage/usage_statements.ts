/*
| The statement a usage record runs, in a module of its own. It is one
| round trip, run as a named prepared statement (#support/prepared_query):
| the license, whether it is usable, the meter of its product with that
| code, the meter's effective limit and current period (usage_period()),
| and, when all of that allows it, the record itself (record_usage(), both
| in migration 0010).
*/
import { licenseUsableSql } from '../../rules/license_usable.ts'
import { effectiveLimitSql } from './limits.ts'

/** The order of RECORD's parameters: $1 … $7. */
export const RECORD_PARAMETERS = [
  'licenseKey',
  'meterCode',
  'at',
  'amount',
  'idempotencyKey',
  'apiKeyId',
  'logEvent',
] as const

/**
 * One row when the license exists: its state (for the refusal when it is
 * not usable), the meter's columns (null when the product has no such
 * meter), and the answer of record_usage() (null when nothing was
 * recorded because the license or the meter stood in the way).
 */
export const RECORD = `WITH target AS (
    SELECT l.id, l.status, l.expires_at, l.product_id, p.expiry_grace_days,
           ${licenseUsableSql('l', '$3')} AS usable,
           m.id AS meter_id, m.period, m.rolling_seconds, m.time_zone, m.overage,
           m.tolerance_percent, ${effectiveLimitSql('m', 'own', 'tpl')} AS meter_limit
      FROM licenses l
      JOIN products p ON p.id = l.product_id
      LEFT JOIN meters m ON m.product_id = l.product_id AND m.code = $2
      LEFT JOIN license_meter_limits own ON own.license_id = l.id AND own.meter_id = m.id
      LEFT JOIN license_template_meters tpl
        ON tpl.template_id = l.template_id AND tpl.meter_id = m.id
     WHERE l.key = $1
  )
  SELECT t.*, r.answer_status, r.answer, r.replayed, r.key_meter_id, r.key_amount
    FROM target t
    CROSS JOIN LATERAL usage_period(t.period, t.time_zone, $3) AS period
    LEFT JOIN LATERAL record_usage(
      CASE WHEN t.usable AND t.meter_id IS NOT NULL THEN t.id END,
      t.meter_id, $2, $4, $3, period.period_start, period.resets_at,
      CASE WHEN t.period = 'rolling' THEN t.rolling_seconds END,
      t.meter_limit, t.overage, t.tolerance_percent, $5, $6, $7
    ) AS r ON true`

/**
 * The answer a twin request with the same key stored first, read after it
 * won the race to store it, in RECORD's shape (the meter asked for beside
 * the one of the key).
 */
export const STORED_ANSWER = `SELECT l.id, true AS usable, m.id AS meter_id,
       k.status AS answer_status, k.response AS answer, true AS replayed,
       k.meter_id AS key_meter_id, k.amount AS key_amount
  FROM usage_idempotency_keys k
  JOIN licenses l ON l.id = k.license_id
  LEFT JOIN meters m ON m.product_id = l.product_id AND m.code = $3
 WHERE l.key = $1 AND k.idempotency_key = $2`
