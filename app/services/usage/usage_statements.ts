/*
| The statements a usage record runs, in a module of their own so that
| the recorder and `npm run bench` share one text. Both run as named
| prepared statements (#support/prepared_query): a record is two round
| trips, the lookup and the record_usage() function of migration 0010.
*/
import { effectiveLimitSql } from './limits.ts'

/** The order of LOOKUP's parameters: $1, $2. */
export const LOOKUP_PARAMETERS = ['licenseKey', 'meterCode'] as const

/**
 * The license (what its usability needs), and the meter of its product
 * with that code and its effective limit for the license; the meter's
 * columns are null when the product has no such meter.
 */
export const LOOKUP = `SELECT l.id, l.status, l.expires_at, l.product_id, p.expiry_grace_days,
       m.id AS meter_id, m.period, m.rolling_seconds, m.time_zone, m.overage, m.tolerance_percent,
       ${effectiveLimitSql('m', 'own', 'tpl')} AS meter_limit
  FROM licenses l
  JOIN products p ON p.id = l.product_id
  LEFT JOIN meters m ON m.product_id = l.product_id AND m.code = $2
  LEFT JOIN license_meter_limits own ON own.license_id = l.id AND own.meter_id = m.id
  LEFT JOIN license_template_meters tpl ON tpl.template_id = l.template_id AND tpl.meter_id = m.id
 WHERE l.key = $1`

/** The order of RECORD's parameters, those of record_usage(). */
export const RECORD_PARAMETERS = [
  'licenseId',
  'meterId',
  'meterCode',
  'amount',
  'at',
  'periodStart',
  'resetsAt',
  'rollingSeconds',
  'limit',
  'ceiling',
  'idempotencyKey',
  'apiKeyId',
  'logEvent',
] as const

export const RECORD = `SELECT answer_status, answer, replayed, key_meter_id, key_amount
  FROM record_usage($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`

/** A stored answer, read after a twin request with the same key won the race to store it. */
export const STORED_ANSWER = `SELECT status AS answer_status, response AS answer, true AS replayed,
       meter_id AS key_meter_id, amount AS key_amount
  FROM usage_idempotency_keys
 WHERE license_id = $1 AND idempotency_key = $2`
