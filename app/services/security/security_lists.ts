import db from '@adonisjs/lucid/services/db'
import SecurityAlert from '#models/security_alert'
import { escapeLike, paginate, type ListState, type PageOf } from '#support/panel_list'

export interface AlertRow {
  id: number
  rule: string
  subject: string
  status: string
  severity: string
  summary: string
  license_id: number | null
  license_key: string | null
  product_id: number | null
  product_name: string | null
  ip: string | null
  evidence_count: number
  opened_at: Date
  last_seen_at: Date
}

export interface EventRow {
  id: number
  at: Date
  kind: string
  license_id: number | null
  license_key: string | null
  product_name: string | null
  api_key_name: string | null
  ip: string | null
  fingerprint_digest: string | null
  user_agent: string | null
  details: Record<string, unknown>
}

/** A typed license key or part of it, matched from its start (keys are stored upper case). */
const keyPrefix = (typed: string) => `${escapeLike(typed.toUpperCase())}%`

/**
 * What the panel's security pages read: the alerts and events lists with
 * their filters, an alert with its evidence and actions, the dashboard's
 * figures.
 */
export default class SecurityLists {
  async alerts(list: ListState): Promise<PageOf<AlertRow>> {
    const { status, rule, product_id: productId, license } = list.filters
    const query = db
      .from('security_alerts as a')
      .leftJoin('licenses as l', 'l.id', 'a.license_id')
      .leftJoin('products as p', 'p.id', 'a.product_id')
      .select('a.*', 'l.key as license_key', 'p.name as product_name', db.raw('host(a.ip) AS ip'))
      .orderBy(`a.${list.sort}`, list.dir)
      .orderBy('a.id', 'desc')
    if (status) query.where('a.status', status)
    else query.whereNot('a.status', 'resolved')
    if (rule) query.where('a.rule', rule)
    if (productId) query.where('a.product_id', Number(productId))
    if (license) query.whereILike('l.key', keyPrefix(license))
    return paginate<AlertRow>(query, list)
  }

  async events(list: ListState): Promise<PageOf<EventRow>> {
    const { kind, product_id: productId, license, ip } = list.filters
    const query = db
      .from('security_events as e')
      .leftJoin('licenses as l', 'l.id', 'e.license_id')
      .leftJoin('products as p', 'p.id', 'e.product_id')
      .leftJoin('api_keys as k', 'k.id', 'e.api_key_id')
      .select(
        'e.id',
        'e.at',
        'e.kind',
        'e.license_id',
        'e.fingerprint_digest',
        'e.user_agent',
        'e.details',
        'l.key as license_key',
        'p.name as product_name',
        'k.name as api_key_name',
        db.raw('host(e.ip) AS ip')
      )
      .orderBy('e.at', list.dir)
      .orderBy('e.id', list.dir)
    if (kind) query.where('e.kind', kind)
    if (productId) query.where('e.product_id', Number(productId))
    if (license) query.whereILike('l.key', keyPrefix(license))
    if (ip) query.whereRaw('host(e.ip) LIKE ?', [`${escapeLike(ip)}%`])
    return paginate<EventRow>(query, list)
  }

  /** An alert with its evidence (newest first), its actions, and what it is about. */
  async alert(id: number) {
    const alert = await SecurityAlert.query()
      .where('id', id)
      .select('*', db.raw('host(ip) AS ip'))
      .preload('evidence', (query) =>
        query.select('*', db.raw('host(ip) AS ip')).orderBy('at', 'desc').orderBy('id', 'desc')
      )
      .preload('actions', (query) => query.orderBy('id'))
      .firstOrFail()
    const license = alert.licenseId
      ? await db
          .from('licenses as l')
          .join('products as p', 'p.id', 'l.product_id')
          .leftJoin('customers as c', 'c.id', 'l.customer_id')
          .where('l.id', alert.licenseId)
          .select('l.id', 'l.key', 'l.status', 'p.name as product_name', 'c.name as customer_name')
          .first()
      : null
    const [sessions] = alert.licenseId
      ? await db.from('license_sessions').where('license_id', alert.licenseId).count('* as total')
      : [{ total: 0 }]
    const blocked = alert.ip
      ? await db.from('blocked_ips').whereRaw('network >>= ?::inet', [alert.ip]).first()
      : null
    return { alert, license, liveSessions: Number(sessions.total), ipBlocked: Boolean(blocked) }
  }

  /** The dashboard card: alerts not resolved, by status, and how many of them are high. */
  async dashboard() {
    const rows = await db
      .from('security_alerts')
      .whereNot('status', 'resolved')
      .select('status')
      .count('* as total')
      .select(db.raw(`count(*) FILTER (WHERE severity = 'high') AS high`))
      .groupBy('status')
    const of = (status: string) => rows.find((row) => row.status === status)
    return {
      open: Number(of('open')?.total ?? 0),
      acknowledged: Number(of('acknowledged')?.total ?? 0),
      high: rows.reduce((sum, row) => sum + Number(row.high), 0),
    }
  }

  async products() {
    return db.from('products').select('id', 'name').orderBy('name')
  }
}
