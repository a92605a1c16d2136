/** What is left below the limit (never negative), null when unlimited. */
export function remainingOf(limit: number | null, used: number) {
  return limit === null ? null : Math.max(limit - used, 0)
}

/**
 * The effective limit of a meter for a license, as SQL: the license's own
 * row (its `limit`, null = unlimited) if it has one, else its template's,
 * else the meter's default. A row that is present wins even when its limit
 * is null, so the CASE tests the rows, not the values. The aliases name
 * `meters`, a LEFT JOIN of `license_meter_limits` and one of
 * `license_template_meters`.
 */
export function effectiveLimitSql(meter = 'm', own = 'own', template = 'tpl') {
  return `CASE WHEN ${own}.meter_id IS NOT NULL THEN ${own}."limit"
    WHEN ${template}.meter_id IS NOT NULL THEN ${template}."limit"
    ELSE ${meter}.default_limit END`
}
