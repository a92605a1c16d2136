import { readFile } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { chartJsUrl } from '#plugin_host/api'
import LeadQueries from '../services/lead_queries.js'
import LeadStats from '../services/lead_stats.js'

/** Dark or light text, whichever reads better on a tag's colour. */
function textOn(color: string) {
  const [r, g, b] = [1, 3, 5].map((index) => Number.parseInt(color.slice(index, index + 2), 16))
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#111827' : '#ffffff'
}

const STATS_SCRIPT = new URL('../assets/stats.js', import.meta.url)

/** The statistics page, its JSON, and the script that draws its chart. */
@inject()
export default class StatsController {
  constructor(
    protected stats: LeadStats,
    protected queries: LeadQueries
  ) {}

  async show({ view }: HttpContext) {
    return view.render('lead-crm::stats', {
      stats: await this.stats.figures(),
      chartJsUrl: await chartJsUrl(),
    })
  }

  /** `GET /admin/leads/api/stats`: the same figures as JSON (behind the panel login). */
  async json() {
    return this.stats.figures()
  }

  /**
   * The tags' colours as classes (`.tag-1a2b3c`): the panel's CSP allows no
   * inline style. Colours are `#rrggbb` by a database constraint.
   */
  async tagStyles({ response }: HttpContext) {
    const tags = await this.queries.tags()
    const colors = new Set(tags.map((tag) => tag.color as string))
    response.header('Content-Type', 'text/css; charset=utf-8')
    response.header('Cache-Control', 'no-cache')
    return [...colors]
      .map((color) => `.tag-${color.slice(1)}{background:${color};color:${textOn(color)}}`)
      .join('\n')
  }

  async script({ response }: HttpContext) {
    response.header('Content-Type', 'text/javascript; charset=utf-8')
    response.header('Cache-Control', 'no-cache')
    return readFile(STATS_SCRIPT, 'utf8')
  }
}
