import db from '@adonisjs/lucid/services/db'

export const DELIVERIES_PER_PAGE = 25

/** What the panel shows of the endpoints and their delivery logs. */
export class WebhookQueries {
  endpoints() {
    return db
      .from('notifications_webhook_endpoints as e')
      .select(
        'e.id',
        'e.url',
        'e.description',
        'e.events',
        'e.enabled',
        'e.failing_since',
        'e.disabled_at',
        'e.disabled_reason',
        db.raw(
          `(SELECT max(d.last_attempt_at) FROM notifications_deliveries d WHERE d.endpoint_id = e.id) AS last_attempt_at`
        )
      )
      .orderBy('e.id')
  }

  endpoint(id: number) {
    return db.from('notifications_webhook_endpoints').where('id', id).first()
  }

  /** The endpoint's deliveries, newest first, a page at a time. */
  async deliveries(endpointId: number, page: number, status?: string) {
    const query = db
      .from('notifications_deliveries as d')
      .join('notifications_events as v', 'v.id', 'd.event_id')
      .where('d.endpoint_id', endpointId)
      .select(
        'd.id',
        'd.event_id',
        'v.type',
        'd.status',
        'd.attempts',
        'd.response_status',
        'd.duration_ms',
        'd.error',
        'd.last_attempt_at',
        'd.next_attempt_at',
        'd.created_at'
      )
      .orderBy('d.id', 'desc')
    if (status) query.where('d.status', status)
    const rows = await query
      .clone()
      .offset((page - 1) * DELIVERIES_PER_PAGE)
      .limit(DELIVERIES_PER_PAGE + 1)
    return {
      rows: rows.slice(0, DELIVERIES_PER_PAGE),
      page,
      hasNext: rows.length > DELIVERIES_PER_PAGE,
    }
  }
}
