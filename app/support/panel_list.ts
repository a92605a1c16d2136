import vine from '@vinejs/vine'
import type { HttpRequest } from '@adonisjs/core/http'
import panelConfig from '#config/panel'

export const PER_PAGE_CHOICES = [10, 25, 50, 100] as const

/**
 * What a list page was asked for: page, page size, free-text search, sort
 * and the page's own filters, read from the query string. Anything
 * malformed (a page of "abc", an unknown sort column, a filter value not on
 * the page's list) falls back to the default instead of failing: a list URL
 * is often hand-edited or stale, and the page should still open.
 */
export interface ListState {
  page: number
  perPage: number
  q: string
  sort: string
  dir: 'asc' | 'desc'
  filters: Record<string, string>
  /**
   * The current list URL with some parameters changed (`null` removes one);
   * with `path`, the same query string on another page (the list's export).
   */
  urlWith(changes: Record<string, string | number | null>, path?: string): string
  /** Whether any search or filter is active. */
  filtered: boolean
}

export interface ListOptions<Sort extends string> {
  sortable: readonly Sort[]
  defaultSort: Sort
  defaultDir?: 'asc' | 'desc'
  /**
   * The page's filters: a list of allowed values, or a pattern for free
   * values (dates, ids).
   */
  filters?: Record<string, readonly string[] | RegExp>
}

const pageNumber = vine.create(vine.number().withoutDecimals().min(1).max(1_000_000))
const searchText = vine.create(vine.string().trim().maxLength(200))

async function valid<T>(validator: { tryValidate(value: unknown): Promise<any> }, value: unknown) {
  if (value === undefined || value === null || value === '') return undefined
  const [error, result] = await validator.tryValidate(value)
  return error ? undefined : (result as T)
}

export async function readListState<Sort extends string>(
  request: HttpRequest,
  options: ListOptions<Sort>
): Promise<ListState & { sort: Sort }> {
  const input = request.qs()
  const perPageAsked = await valid<number>(pageNumber, input.per_page)
  const perPage = PER_PAGE_CHOICES.includes(perPageAsked as any)
    ? (perPageAsked as number)
    : panelConfig.perPage
  const sort = options.sortable.includes(input.sort) ? (input.sort as Sort) : options.defaultSort
  const dir =
    input.dir === 'asc' || input.dir === 'desc' ? input.dir : (options.defaultDir ?? 'desc')

  const filters: Record<string, string> = {}
  for (const [name, allowed] of Object.entries(options.filters ?? {})) {
    const value = typeof input[name] === 'string' ? input[name].trim() : ''
    if (!value) continue
    const ok = allowed instanceof RegExp ? allowed.test(value) : allowed.includes(value)
    if (ok) filters[name] = value
  }

  const q = (await valid<string>(searchText, input.q)) ?? ''
  const state = {
    page: (await valid<number>(pageNumber, input.page)) ?? 1,
    perPage,
    q,
    sort,
    dir,
    filters,
    filtered: q !== '' || Object.keys(filters).length > 0,
  }
  const listPath = request.url()
  return {
    ...state,
    urlWith(changes, path = listPath) {
      const params = new URLSearchParams()
      const current: Record<string, string | number> = {
        ...filters,
        q,
        sort,
        dir,
        per_page: perPage,
        page: state.page,
      }
      for (const [key, value] of Object.entries({ ...current, ...changes })) {
        if (value === null || value === '' || value === undefined) continue
        params.set(key, String(value))
      }
      const text = params.toString()
      return text ? `${path}?${text}` : path
    },
  }
}

/**
 * A page of rows and what the pager needs to draw itself.
 */
export interface PageOf<Row> {
  rows: Row[]
  page: number
  perPage: number
  total: number
  lastPage: number
}

/**
 * Runs a Lucid or query-builder `paginate()` and returns plain data for
 * the views. A page past the end shows the last page.
 */
export async function paginate<Row>(
  query: { paginate(page: number, perPage: number): Promise<any>; clone(): any },
  list: Pick<ListState, 'page' | 'perPage'>
): Promise<PageOf<Row>> {
  let result = await query.clone().paginate(list.page, list.perPage)
  if (result.all().length === 0 && result.lastPage < list.page && result.total > 0) {
    result = await query.clone().paginate(result.lastPage, list.perPage)
  }
  return {
    rows: result.all() as Row[],
    page: result.currentPage,
    perPage: result.perPage,
    total: result.total,
    lastPage: result.lastPage,
  }
}

/** A search term matched literally, anywhere in the text, by (I)LIKE. */
export function likePattern(term: string) {
  return `%${escapeLike(term)}%`
}

/** `text` with LIKE's wildcards (`%`, `_`) and its escape character taken literally. */
export function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`)
}

/** Anything with Knex's grouped `where`: database and model query builders alike. */
interface GroupedWhere {
  where(callback: (where: any) => void): unknown
}

/**
 * Narrows a list to rows where any of `columns` contains `term` (ILIKE,
 * matched literally): the list pages' free-text search.
 */
export function whereMatches<Query extends GroupedWhere>(
  query: Query,
  columns: readonly string[],
  term: string
): Query {
  const pattern = likePattern(term)
  query.where((where) => {
    where.whereILike(columns[0], pattern)
    for (const column of columns.slice(1)) where.orWhereILike(column, pattern)
  })
  return query
}
