import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import { whereSessionLive } from '#rules/session_live'
import { SessionPolicyRegistry } from '#services/session_policies'
import { Clock } from '#support/clock'
import { normalizeLicenseKey } from '#support/license_keys'
import { inChunks } from '#support/csv_export'
import { paginate, whereMatches, type ListState } from '#support/panel_list'
import { HISTORY_SORTS, LIVE_SORTS, type HistoryRange } from '#validators/panel_sessions'

type Query = DatabaseQueryBuilderContract<any>

/** What every list of live sessions shows of each. */
const LIVE_COLUMNS = [
  's.id',
  'l.key as license_key',
  's.fingerprint',
  's.ip',
  's.client_version',
  's.policy',
  's.started_at',
  's.last_heartbeat_at',
  's.expires_at',
]
export type SessionRow = Record<string, any>

/**
 * The panel's session lists: the sessions live now, and the history of
 * ended sessions in a time range, with the license, product and customer
 * of each; searched, filtered and sorted as the list state says.
 */
@inject()
export default class SessionList {
  constructor(
    protected clock: Clock,
    protected policies: SessionPolicyRegistry
  ) {}

  /** Search and the filters both lists share, on `table` (`s` or `h`). */
  protected narrow(query: Query, list: ListState, table: 's' | 'h') {
    if (list.q) {
      const columns = ['l.key', `${table}.fingerprint`, `${table}.ip`, 'c.name']
      columns.push(`${table}.client_version`, ...(table === 'h' ? ['h.ended_by'] : []))
      whereMatches(query, columns, list.q)
    }
    if (list.filters.policy) query.where(`${table}.policy`, list.filters.policy)
    if (list.filters.product_id) query.where('l.product_id', Number(list.filters.product_id))
    return query
  }

  /** What the filter selects offer: the products, and the policies (with the one asked for). */
  async choices(list: ListState) {
    const products = await db.from('products').select('id', 'name').orderBy('name')
    const policies = new Set(this.policies.names())
    if (list.filters.policy) policies.add(list.filters.policy)
    return { products, policies: [...policies].sort() }
  }

  /** Every session live now, newest first (`session:list`), optionally of one license. */
  async allLive(filter: { licenseKey?: string } = {}) {
    const query = db
      .from('license_sessions as s')
      .join('licenses as l', 'l.id', 's.license_id')
      .select(...LIVE_COLUMNS)
      .orderBy('s.started_at', 'desc')
    whereSessionLive(query, 's', this.clock.now().toJSDate())
    if (filter.licenseKey) query.where('l.key', normalizeLicenseKey(filter.licenseKey))
    return query
  }

  /** A page of the sessions live now (see #rules/session_live). */
  async live(list: ListState) {
    const query = db
      .from('license_sessions as s')
      .join('licenses as l', 'l.id', 's.license_id')
      .join('products as p', 'p.id', 'l.product_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .select(
        ...LIVE_COLUMNS,
        's.license_id',
        'p.name as product_name',
        'c.id as customer_id',
        'c.name as customer_name'
      )
    whereSessionLive(query, 's', this.clock.now().toJSDate())
    query
      .orderByRaw(`${LIVE_SORTS[list.sort as keyof typeof LIVE_SORTS]} ${list.dir} NULLS LAST`)
      .orderBy('s.id', list.dir)
    this.narrow(query, list, 's')
    return paginate<SessionRow>(query, list)
  }

  protected historyQuery(list: ListState, range: HistoryRange) {
    const query = db
      .from('session_history as h')
      .join('licenses as l', 'l.id', 'h.license_id')
      .join('products as p', 'p.id', 'l.product_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .where('h.ended_at', '>=', range.from.toJSDate())
      .where('h.ended_at', '<', range.before.toJSDate())
      .select(
        'h.id',
        'h.license_id',
        'l.key as license_key',
        'p.name as product_name',
        'c.id as customer_id',
        'c.name as customer_name',
        'h.fingerprint',
        'h.ip',
        'h.client_version',
        'h.policy',
        'h.started_at',
        'h.last_heartbeat_at',
        'h.ended_at',
        'h.end_reason',
        'h.ended_by',
        'h.heartbeat_count'
      )
      .orderByRaw(
        `${HISTORY_SORTS[list.sort as keyof typeof HISTORY_SORTS]} ${list.dir} NULLS LAST`
      )
      .orderBy('h.id', list.dir)
    if (list.filters.end_reason) query.where('h.end_reason', list.filters.end_reason)
    this.narrow(query, list, 'h')
    return query
  }

  /** A page of the sessions that ended within `range`. */
  async history(list: ListState, range: HistoryRange) {
    return paginate<SessionRow>(this.historyQuery(list, range), list)
  }

  /** The whole filtered history, in the list's order, in chunks (for the CSV export). */
  historyChunks(list: ListState, range: HistoryRange) {
    return inChunks<SessionRow>(this.historyQuery(list, range))
  }
}
