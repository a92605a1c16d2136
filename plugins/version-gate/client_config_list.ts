import type { HttpRequest } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { paginate, readListState, whereMatches } from '#plugin_host/api'
import ClientConfigRevision from './models/client_config_revision.js'

/** Sortable columns of the list, as SQL. */
const SORTS = {
  product: 'lower(p.name)',
  current_version: 'c.current_version',
  updated_at: 'c.updated_at',
} as const

/** What the free-text search looks at. */
const SEARCHED = ['p.name', 'p.slug', 'c.client_name'] as const

/**
 * The panel's lists of the plugin, read from the query string: every
 * product with its configuration (or none yet), and a configuration's
 * history.
 */
export default class ClientConfigList {
  /** Every product, with its configuration or without one, filtered and sorted. */
  async query(request: HttpRequest) {
    const list = await readListState(request, {
      sortable: Object.keys(SORTS) as (keyof typeof SORTS)[],
      defaultSort: 'product',
      defaultDir: 'asc',
      filters: { configured: ['yes', 'no'] },
    })
    const query = db
      .from('products as p')
      .leftJoin('version_gate_configs as c', 'c.product_id', 'p.id')
      .select(
        'p.id as product_id',
        'p.name as product_name',
        'p.slug as product_slug',
        'c.id',
        'c.client_name',
        'c.current_version',
        'c.minimum_version',
        'c.require_version',
        'c.revision',
        'c.updated_at'
      )
      .orderByRaw(`${SORTS[list.sort]} ${list.dir} NULLS LAST`)
      .orderBy('p.id')
    if (list.q) whereMatches(query, SEARCHED, list.q)
    if (list.filters.configured === 'yes') query.whereNotNull('c.id')
    if (list.filters.configured === 'no') query.whereNull('c.id')
    return { list, page: await paginate(query, list) }
  }

  /**
   * A configuration's revisions, a page of them, each with the values it
   * replaced, so the history says what changed from what.
   */
  async history(configId: number, request: HttpRequest) {
    const list = await readListState(request, {
      sortable: ['revision'] as const,
      defaultSort: 'revision',
    })
    const history = await paginate<ClientConfigRevision>(
      ClientConfigRevision.query().where('clientConfigId', configId).orderBy('revision', list.dir),
      list
    )
    return { list, history: { ...history, rows: await this.withPrevious(configId, history.rows) } }
  }

  protected async withPrevious(configId: number, revisions: ClientConfigRevision[]) {
    if (revisions.length === 0) return []
    const numbers = revisions.map((revision) => revision.revision - 1)
    const earlier = await ClientConfigRevision.query()
      .where('clientConfigId', configId)
      .whereIn('revision', numbers)
    const byNumber = new Map(earlier.map((revision) => [revision.revision, revision.snapshot]))
    return revisions.map((revision) => ({
      revision,
      previous: byNumber.get(revision.revision - 1) ?? null,
    }))
  }
}
