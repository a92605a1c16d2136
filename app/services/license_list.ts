import { inject } from '@adonisjs/core'
import type { HttpRequest } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import CustomerList from '#services/customer_list'
import ProductList from '#services/product_list'
import {
  licenseStatusSql,
  whereLicenseExpired,
  whereLicenseInGrace,
  whereLicenseUsable,
} from '#rules/license_usable'
import { Clock } from '#support/clock'
import { inChunks, type CsvColumn } from '#support/csv_export'
import { formatMoment } from '#support/formatting'
import { LICENSE_TYPE_PATTERN } from '#support/license_duration'
import { paginate, readListState, whereMatches } from '#support/panel_list'

/** The statuses a license shows; `grace` and `expired` are computed, never stored. */
export const LICENSE_STATUSES = ['active', 'grace', 'expired', 'suspended', 'revoked'] as const

/** Sortable columns of the list, as SQL (`status` and `devices` are select aliases). */
const SORTS = {
  created_at: 'l.created_at',
  expires_at: 'l.expires_at',
  key: 'l.key',
  status: 'status',
  type: 'l.type',
  product: 'p.name',
  customer: 'c.name',
  devices: 'devices',
} as const

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const ID = /^[1-9]\d{0,8}$/

/** What the free-text search looks at. */
const SEARCHED = ['l.key', 'l.notes', 'c.name', 'c.email', 'c.company'] as const

export type LicenseListRow = {
  id: number
  key: string
  type: string
  status: string
  stored_status: string
  max_devices: number
  max_sessions: number
  expires_at: Date | null
  activated_at: Date | null
  created_at: Date
  batch_id: string | null
  notes: string | null
  customer_id: number | null
  customer_name: string | null
  customer_email: string | null
  product_name: string
  devices: string
}

const CSV_COLUMNS: CsvColumn<LicenseListRow>[] = [
  { header: 'key', value: (row) => row.key },
  { header: 'product', value: (row) => row.product_name },
  { header: 'customer_id', value: (row) => row.customer_id },
  { header: 'customer', value: (row) => row.customer_name },
  { header: 'customer_email', value: (row) => row.customer_email },
  { header: 'type', value: (row) => row.type },
  { header: 'status', value: (row) => row.status },
  { header: 'max_devices', value: (row) => row.max_devices },
  { header: 'max_sessions', value: (row) => row.max_sessions },
  { header: 'devices_in_use', value: (row) => Number(row.devices) },
  { header: 'created_at', value: (row) => formatMoment(row.created_at, true) },
  { header: 'activated_at', value: (row) => formatMoment(row.activated_at, true) },
  { header: 'expires_at', value: (row) => formatMoment(row.expires_at, true) },
  { header: 'batch_id', value: (row) => row.batch_id },
  { header: 'notes', value: (row) => row.notes },
]

/**
 * The panel's license list: its filters, sorts and search, read from the
 * query string, as a page for the list and as every matching row for the
 * CSV export (both read the same query string).
 */
@inject()
export default class LicenseList {
  constructor(
    protected clock: Clock,
    protected customers: CustomerList,
    protected products: ProductList
  ) {}

  async query(request: HttpRequest) {
    const list = await readListState(request, {
      sortable: Object.keys(SORTS) as (keyof typeof SORTS)[],
      defaultSort: 'created_at',
      filters: {
        status: LICENSE_STATUSES,
        type: LICENSE_TYPE_PATTERN,
        product_id: ID,
        customer_id: ID,
        batch_id: UUID,
        template_id: ID,
        expiring_within: /^\d{1,4}$/,
      },
    })
    const now = this.clock.now()
    const query = db
      .from('licenses as l')
      .join('products as p', 'p.id', 'l.product_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .select(
        'l.id',
        'l.key',
        'l.type',
        'l.status as stored_status',
        'l.max_devices',
        'l.max_sessions',
        'l.expires_at',
        'l.activated_at',
        'l.created_at',
        'l.batch_id',
        'l.notes',
        'l.customer_id',
        'c.name as customer_name',
        'c.email as customer_email',
        'p.name as product_name',
        db.raw(`${licenseStatusSql('l')} AS status`, { now: now.toJSDate() }),
        db.raw('(SELECT count(*) FROM devices d WHERE d.license_id = l.id AND d.active) AS devices')
      )
      .orderByRaw(`${SORTS[list.sort]} ${list.dir} NULLS LAST`)
      .orderBy('l.id', list.dir)

    const { status, type, product_id: productId, customer_id: customerId } = list.filters
    // `active` is every usable license, as the dashboard counts them: those
    // in their grace too, which `grace` lists alone.
    if (status === 'expired') whereLicenseExpired(query, 'l', now.toJSDate())
    else if (status === 'grace') whereLicenseInGrace(query, 'l', now.toJSDate())
    else if (status === 'active') whereLicenseUsable(query, 'l', now.toJSDate())
    else if (status) query.where('l.status', status)
    if (type) query.where('l.type', type)
    if (productId) query.where('l.product_id', Number(productId))
    if (customerId) query.where('l.customer_id', Number(customerId))
    if (list.filters.batch_id) query.where('l.batch_id', list.filters.batch_id.toLowerCase())
    if (list.filters.template_id) query.where('l.template_id', Number(list.filters.template_id))
    if (list.filters.expiring_within) {
      query
        .where('l.expires_at', '>', now.toJSDate())
        .where(
          'l.expires_at',
          '<=',
          now.plus({ days: Number(list.filters.expiring_within) }).toJSDate()
        )
    }
    if (list.q) whereMatches(query, SEARCHED, list.q)
    return { list, query }
  }

  /** The list page: a page of rows, and what its filters offer to choose from. */
  async page(request: HttpRequest) {
    const { list, query } = await this.query(request)
    return {
      list,
      page: await paginate<LicenseListRow>(query, list),
      products: await this.products.all(),
      statuses: LICENSE_STATUSES,
      ...(await this.customers.choices(list.filters.customer_id)),
    }
  }

  /** Every matching row, in chunks, with the file name and columns of the CSV. */
  async export(request: HttpRequest) {
    const { list, query } = await this.query(request)
    const filename = list.filters.batch_id
      ? `licenses-batch-${list.filters.batch_id.toLowerCase()}.csv`
      : `licenses-${this.clock.now().toFormat('yyyy-LL-dd')}.csv`
    return { filename, columns: CSV_COLUMNS, rows: inChunks<LicenseListRow>(query) }
  }
}
