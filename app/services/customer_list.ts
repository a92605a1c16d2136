import type { HttpRequest } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { licenseStatusSql } from '#rules/license_usable'
import { sessionLiveSql } from '#rules/session_live'
import { paginate, readListState, whereMatches } from '#support/panel_list'

/**
 * Up to this many customers, license forms and the license list's filter
 * offer a select; with more, a customer-id field that the autocomplete
 * fills (public/assets/customers.js), which works without JavaScript too.
 */
const CUSTOMER_SELECT_LIMIT = 100

/** How many customers the autocomplete offers at most. */
const SUGGESTIONS = 10

/** What the search and the autocomplete look at. */
const SEARCHED = ['name', 'email', 'company'] as const

const ID = /^[1-9]\d{0,8}$/

/** Sortable columns of a customer's license list, as SQL. */
const LICENSE_SORTS = {
  created_at: 'l.created_at',
  key: 'l.key',
  type: 'l.type',
  status: 'status',
  expires_at: 'l.expires_at',
} as const

/**
 * The panel's customer lists: the list page, the autocomplete, the
 * choices license forms offer, and the licenses on a customer's page.
 */
export default class CustomerList {
  async page(request: HttpRequest) {
    const list = await readListState(request, {
      sortable: ['name', 'email', 'company', 'created_at', 'licenses'] as const,
      defaultSort: 'name',
      defaultDir: 'asc',
      filters: { licenses: ['with', 'without'] },
    })
    const query = Customer.query()
      .withCount('licenses')
      .orderByRaw(
        `${list.sort === 'licenses' ? 'licenses_count' : list.sort} ${list.dir} NULLS LAST`
      )
      .orderBy('id', 'asc')
    if (list.q) whereMatches(query, SEARCHED, list.q)
    if (list.filters.licenses === 'with') query.whereHas('licenses', () => {})
    if (list.filters.licenses === 'without') query.whereDoesntHave('licenses', () => {})
    return { list, page: await paginate(query, list) }
  }

  /**
   * Autocomplete: up to 10 customers whose name, email or company contains
   * the term, or whose id it is.
   */
  async suggest(asked: unknown) {
    const term = String(asked ?? '')
      .trim()
      .slice(0, 100)
    if (!term) return []
    const query = db.from('customers')
    query.where((where) => {
      whereMatches(where, SEARCHED, term)
      if (/^\d{1,9}$/.test(term)) where.orWhere('id', Number(term))
    })
    return query
      .orderByRaw('lower(name)')
      .orderBy('id')
      .limit(SUGGESTIONS)
      .select('id', 'name', 'email')
  }

  /**
   * The customers to pick from: all of them when few (a select), else none
   * (a customer-id field with autocomplete), plus the one already chosen.
   */
  async choices(selectedId?: number | string | null) {
    const [{ n }] = await db.from('customers').count('* as n')
    const customers =
      Number(n) <= CUSTOMER_SELECT_LIMIT
        ? await db.from('customers').orderByRaw('lower(name)').select('id', 'name', 'email')
        : null
    const selected =
      selectedId && ID.test(String(selectedId))
        ? await db.from('customers').where('id', Number(selectedId)).select('id', 'name').first()
        : null
    return { customers, selectedCustomer: selected ?? null }
  }

  /**
   * A customer's licenses, sorted as asked, with devices in use and
   * sessions online at `now` (the moment the page's figures are counted at).
   */
  async licenses(customerId: number, request: HttpRequest, now: Date) {
    const list = await readListState(request, {
      sortable: Object.keys(LICENSE_SORTS) as (keyof typeof LICENSE_SORTS)[],
      defaultSort: 'created_at',
    })
    const query = db
      .from('licenses as l')
      .join('products as p', 'p.id', 'l.product_id')
      .where('l.customer_id', customerId)
      .select(
        'l.id',
        'l.key',
        'l.type',
        'l.expires_at',
        'l.max_devices',
        'l.max_sessions',
        'p.name as product_name',
        db.raw(`${licenseStatusSql('l')} AS status`, { now }),
        db.raw(
          '(SELECT count(*) FROM devices d WHERE d.license_id = l.id AND d.active) AS devices'
        ),
        db.raw(
          `(SELECT count(*) FROM license_sessions s WHERE s.license_id = l.id AND ${sessionLiveSql('s')}) AS online`,
          [now]
        )
      )
      .orderByRaw(`${LICENSE_SORTS[list.sort]} ${list.dir} NULLS LAST`)
      .orderBy('l.id', list.dir)
    return { list, page: await paginate(query, list) }
  }
}
