import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { adminActor, License, redirectWithRefusal } from '#plugin_host/api'
import ResourceAllocator, { type Shortage } from '../services/allocator.js'
import ResourceInventory from '../services/inventory.js'
import PoolsSettings from '../services/settings.js'
import {
  allocateValidator,
  needsValidator,
  releaseValidator,
  swapValidator,
} from '../validators.js'

/** A license's resources: allocate, release, swap, its own needs, and their history. */
@inject()
export default class LicenseResourcesController {
  constructor(
    protected allocator: ResourceAllocator,
    protected inventory: ResourceInventory,
    protected settings: PoolsSettings
  ) {}

  protected back(id: number) {
    return urlFor('admin.resources.license', { id })
  }

  async show({ view, params, i18n }: HttpContext) {
    const license = await License.query().where('id', params.id).preload('product').firstOrFail()
    const [held, needs, own, history, pools] = await Promise.all([
      this.allocator.heldBy(license.id),
      this.allocator.needsOf(license.id),
      this.allocator.ownNeedsOf(license.id),
      this.inventory.historyOfLicense(license.id),
      this.inventory.poolNames(),
    ])
    const missing = Object.fromEntries(
      this.settings.typeNames.map((type) => [
        type,
        Math.max(0, (needs[type] ?? 0) - held.filter((row) => row.type === type).length),
      ])
    )
    return view.render('resource-pools::license', {
      license,
      held,
      needs,
      own,
      missing,
      history,
      pools,
      types: this.settings.typeNames,
      typeLabels: this.settings.labels(i18n),
    })
  }

  /** Takes what the form asks for (or, without counts, what the license lacks), all or nothing. */
  async allocate(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const input = await ctx.request.validateUsing(allocateValidator)
    const counts = input.counts
      ? Object.fromEntries(Object.entries(input.counts).map(([type, count]) => [type, count ?? 0]))
      : null
    let result
    try {
      result = await this.allocator.allocate(id, counts, adminActor(ctx), {
        pool: input.pool ?? null,
      })
    } catch (error) {
      return redirectWithRefusal(ctx, error, this.back(id))
    }
    const { i18n, session } = ctx
    if (!result.ok) {
      session.flash(
        'error',
        i18n.t('resource_pools.short', {
          list: result.short
            .map((row: Shortage) => i18n.t('resource_pools.short_item', { ...row, type: row.type }))
            .join('; '),
        })
      )
    } else if (result.taken.length === 0) {
      session.flash('success', i18n.t('resource_pools.nothing_to_allocate'))
    } else {
      session.flash('success', i18n.t('resource_pools.allocated', { count: result.taken.length }))
    }
    return ctx.response.redirect(this.back(id))
  }

  async release(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const input = await ctx.request.validateUsing(releaseValidator)
    try {
      const released = await this.allocator.release(id, adminActor(ctx), {
        resourceId: input.resource_id,
        reason: input.reason ?? null,
      })
      ctx.session.flash(
        'success',
        ctx.i18n.t('resource_pools.released', { count: released.length })
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, this.back(id))
    }
    return ctx.response.redirect(this.back(id))
  }

  async swap(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const input = await ctx.request.validateUsing(swapValidator)
    try {
      const swapped = await this.allocator.swap(id, input.resource_id, adminActor(ctx), {
        retire: input.retire ?? false,
        reason: input.reason ?? null,
      })
      ctx.session.flash(
        'success',
        ctx.i18n.t('resource_pools.swapped', {
          old: swapped.old.value,
          replacement: swapped.replacement.value,
        })
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, this.back(id))
    }
    return ctx.response.redirect(this.back(id))
  }

  async needs(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const { counts } = await ctx.request.validateUsing(needsValidator)
    try {
      await this.allocator.setNeeds(
        id,
        Object.fromEntries(this.settings.typeNames.map((type) => [type, counts[type] ?? null])),
        adminActor(ctx)
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, this.back(id))
    }
    ctx.session.flash('success', ctx.i18n.t('resource_pools.saved'))
    return ctx.response.redirect(this.back(id))
  }
}
