import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { STATUSES } from './constants.js'

export const CONVERSION_MONTHS = 12

/**
 * The pipeline's figures, for the statistics page, its JSON
 * (`GET /admin/leads/api/stats`) and the dashboard's card.
 */
export default class LeadStats {
  /**
   * Institutions by status and by tag, and conversions (status changes to
   * `won`) per month over the last 12 months, this one included.
   */
  async figures(now: DateTime = DateTime.utc()) {
    const byStatusRows = await db
      .from('lead_crm_institutions')
      .select('status')
      .count('* as count')
      .groupBy('status')
    const byStatus = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<
      (typeof STATUSES)[number],
      number
    >
    for (const row of byStatusRows)
      byStatus[row.status as keyof typeof byStatus] = Number(row.count)

    const tagRows = await db
      .from('lead_crm_tags as t')
      .leftJoin('lead_crm_institution_tags as it', 'it.tag_id', 't.id')
      .groupBy('t.id', 't.name', 't.color')
      .select('t.id', 't.name', 't.color')
      .count('it.institution_id as count')
      .orderByRaw('lower(t.name)')
    const byTag = tagRows.map((row) => ({
      id: row.id,
      name: row.name,
      color: row.color,
      count: Number(row.count),
    }))

    const firstMonth = now
      .toUTC()
      .startOf('month')
      .minus({ months: CONVERSION_MONTHS - 1 })
    const conversionRows = await db
      .from('lead_crm_activities')
      .where('kind', 'status_change')
      .whereRaw(`details->>'to' = 'won'`)
      .where('occurred_at', '>=', firstMonth.toJSDate())
      .select(
        db.raw(`to_char(date_trunc('month', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month`)
      )
      .count('* as count')
      .groupBy('month')
    const counted = new Map(conversionRows.map((row) => [row.month, Number(row.count)]))
    const conversions = Array.from({ length: CONVERSION_MONTHS }, (_, index) => {
      const month = firstMonth.plus({ months: index }).toFormat('yyyy-LL')
      return { month, count: counted.get(month) ?? 0 }
    })

    const total = Object.values(byStatus).reduce((sum, count) => sum + count, 0)
    return { total, by_status: byStatus, by_tag: byTag, conversions }
  }
}
