import vine from '@vinejs/vine'

/** The largest limit the panel takes: well inside a JavaScript number and a bigint. */
export const MAX_METER_LIMIT = 1_000_000_000_000_000

/**
 * A license's own limit of a meter, from its page: follow the template or
 * the meter (`default`), `unlimited`, or a number (`limit`).
 */
export const meterLimitValidator = vine.create({
  mode: vine.enum(['default', 'unlimited', 'limit'] as const),
  limit: vine
    .number()
    .withoutDecimals()
    .range([0, MAX_METER_LIMIT])
    .optional()
    .requiredWhen('mode', '=', 'limit'),
})
