import { readFile } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { adminActor, chartJsUrl, redirectWithRefusal } from '#plugin_host/api'
import ResourceAllocator from '../services/allocator.js'
import ResourceInventory from '../services/inventory.js'
import PoolsSettings from '../services/settings.js'
import { needsValidator } from '../validators.js'

const USAGE_SCRIPT = new URL('../assets/usage.js', import.meta.url)

/** The pools' overview (usage per type and pool) and the templates' needs. */
@inject()
export default class PoolsController {
  constructor(
    protected inventory: ResourceInventory,
    protected allocator: ResourceAllocator,
    protected settings: PoolsSettings
  ) {}

  async index({ view, i18n }: HttpContext) {
    const [usage, totals, chartJs] = await Promise.all([
      this.inventory.usage(),
      this.inventory.totals(),
      chartJsUrl(),
    ])
    return view.render('resource-pools::overview', {
      usage,
      totals,
      chartJsUrl: chartJs,
      typeLabels: this.settings.labels(i18n),
    })
  }

  async script({ response }: HttpContext) {
    response.header('Content-Type', 'text/javascript; charset=utf-8')
    response.header('Cache-Control', 'public, max-age=3600')
    return readFile(USAGE_SCRIPT, 'utf8')
  }

  async templates({ view, i18n }: HttpContext) {
    const templates = await db
      .from('license_templates as t')
      .join('products as p', 'p.id', 't.product_id')
      .select('t.id', 't.name', 'p.name as product')
      .orderBy([{ column: 'p.name' }, { column: 't.name' }])
    const needs = await db.from('resource_pools_template_needs')
    return view.render('resource-pools::templates', {
      templates: templates.map((template) => ({
        ...template,
        needs: Object.fromEntries(
          needs
            .filter((row) => row.template_id === template.id)
            .map((row) => [row.type, Number(row.count)])
        ),
      })),
      types: this.settings.typeNames,
      typeLabels: this.settings.labels(i18n),
    })
  }

  async updateTemplate(ctx: HttpContext) {
    const { counts } = await ctx.request.validateUsing(needsValidator)
    try {
      await this.allocator.setTemplateNeeds(
        Number(ctx.params.id),
        Object.fromEntries(Object.entries(counts).map(([type, count]) => [type, count ?? 0])),
        adminActor(ctx)
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, '/admin/resources/templates')
    }
    ctx.session.flash('success', ctx.i18n.t('resource_pools.saved'))
    return ctx.response.redirect().toRoute('admin.resources.templates')
  }
}
