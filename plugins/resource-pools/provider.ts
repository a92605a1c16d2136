import type { ApplicationService } from '@adonisjs/core/types'
import { urlFor } from '@adonisjs/core/services/url_builder'
import {
  ClientResponseExtensions,
  PanelExtensions,
  PluginHost,
  type Actor,
  type ClientResponseSource,
} from '#plugin_host/api'
import ResourceAllocator, { type HeldResource } from './services/allocator.js'
import ResourceInventory from './services/inventory.js'
import PoolsSettings, { PLUGIN_NAME } from './services/settings.js'

/**
 * Adds the license's resources to what clients are told (verify, session
 * start, the lease) through the core's ClientResponseExtensions, cards to
 * the dashboard and the license page, and releases the resources of
 * revoked licenses as soon as the core says so.
 */
export default class ResourcePoolsProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(PoolsSettings, async (resolver) =>
      PoolsSettings.fromHost(await resolver.make(PluginHost))
    )
  }

  async boot() {
    addClientFields(this.app, await this.app.container.make(ClientResponseExtensions))

    const panel = await this.app.container.make(PanelExtensions)
    panel.addDashboardCard(async (t) => {
      const inventory = await this.app.container.make(ResourceInventory)
      const settings = await this.app.container.make(PoolsSettings)
      const labels = settings.labels({ t })
      const totals = await inventory.totals()
      const flagged = totals.reduce((sum, row) => sum + row.flagged, 0)
      return {
        id: PLUGIN_NAME,
        title: t('resource_pools.nav'),
        href: urlFor('admin.resources.index'),
        figures: [
          ...totals.map((row) => ({
            label: t(row.low ? 'resource_pools.free_low_of' : 'resource_pools.free_of', {
              type: labels[row.type],
            }),
            value: row.available,
          })),
          // Clients' reports wait for the admin here too.
          ...(flagged > 0 ? [{ label: t('resource_pools.flagged'), value: flagged }] : []),
        ],
      }
    })
    panel.addLicenseCard(async (licenseId, t) => {
      const allocator = await this.app.container.make(ResourceAllocator)
      const [held, needs] = await Promise.all([
        allocator.heldBy(licenseId),
        allocator.needsOf(licenseId),
      ])
      const settings = await this.app.container.make(PoolsSettings)
      const labels = settings.labels({ t })
      const figures = settings.typeNames
        .filter((type) => needs[type] > 0 || held.some((row) => row.type === type))
        .map((type) => {
          const values = held.filter((row) => row.type === type).map((row) => row.value)
          return {
            label: needs[type]
              ? t('resource_pools.held_of_needed', {
                  type: labels[type],
                  held: values.length,
                  needed: needs[type],
                })
              : labels[type],
            value: values.join(', ') || '—',
          }
        })
      return {
        id: PLUGIN_NAME,
        title: t('resource_pools.license_card'),
        href: urlFor('admin.resources.license', { id: licenseId }),
        figures:
          figures.length > 0 ? figures : [{ label: t('resource_pools.none_held'), value: '—' }],
      }
    })

    const emitter = await this.app.container.make('emitter')
    emitter.on('license:status_changed', async ({ licenses, status, actor }) => {
      if (status !== 'revoked') return
      const allocator = await this.app.container.make(ResourceAllocator)
      const by: Actor = {
        type: actor.kind === 'admin' ? 'admin' : 'system',
        id: actor.id,
        label: actor.email ?? PLUGIN_NAME,
      }
      for (const license of licenses) {
        try {
          await allocator.release(license.id, by, { reason: 'license revoked' })
        } catch (error) {
          // A license deleted meanwhile, a lost connection: the hourly reconcile frees the rest.
          const logger = await this.app.container.make('logger')
          logger.warn(
            { err: error, licenseId: license.id },
            'resource-pools: release on revocation failed'
          )
        }
      }
    })
  }
}

/**
 * The `resources` field of verify, session/start and the lease, through the
 * core's extension point (the core never imports this plugin).
 */
export function addClientFields(app: ApplicationService, extensions: ClientResponseExtensions) {
  /**
   * A call asks twice for the same license instance (its answer, then its
   * lease); it is one read. Each call loads its license anew, so a later
   * call reads again.
   */
  const heldByCall = new WeakMap<object, Promise<HeldResource[]>>()
  const resources: ClientResponseSource = async ({ license, client, point, code }) => {
    // A refused verify tells nothing about the license's resources.
    if (point === 'verify' && code !== 'VALID') return undefined
    const allocator = await app.container.make(ResourceAllocator)
    let held = heldByCall.get(license)
    if (!held) {
      held = allocator.heldBy(license.id, client)
      heldByCall.set(license, held)
    }
    // Licenses that hold none (products without resources) get no field.
    const resourcesHeld = await held
    return resourcesHeld.length === 0 ? undefined : allocator.viewOf(resourcesHeld)
  }
  return (['verify', 'session_start', 'lease'] as const).map((point) =>
    extensions.add(point, 'resources', resources, { owner: PLUGIN_NAME })
  )
}
