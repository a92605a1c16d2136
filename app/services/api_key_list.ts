import type { HttpRequest } from '@adonisjs/core/http'
import ApiKey from '#models/api_key'
import { paginate, readListState, whereMatches } from '#support/panel_list'

/** The client API keys as the panel and `apikey:list` list them. */
export default class ApiKeyList {
  async page(request: HttpRequest) {
    const list = await readListState(request, {
      sortable: ['name', 'created_at', 'last_used_at'] as const,
      defaultSort: 'created_at',
      defaultDir: 'desc',
      filters: { status: ['active', 'revoked'] },
    })
    const query = ApiKey.query()
    if (list.sort === 'last_used_at') {
      query.orderByRaw(`last_used_at ${list.dir} NULLS LAST`)
    } else {
      query.orderBy(list.sort, list.dir)
    }
    query.orderBy('id', list.dir)
    if (list.q) whereMatches(query, ['name', 'key_hint'], list.q)
    if (list.filters.status === 'active') query.whereNull('revoked_at')
    if (list.filters.status === 'revoked') query.whereNotNull('revoked_at')
    return { list, page: await paginate(query, list) }
  }

  /** Every key by id: the active ones, or all with `includeRevoked`. */
  async all(includeRevoked = false) {
    const query = ApiKey.query().orderBy('id')
    if (!includeRevoked) query.whereNull('revokedAt')
    return query
  }
}
