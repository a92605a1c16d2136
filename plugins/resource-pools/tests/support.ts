import { randomBytes, randomInt } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { cliActor } from '#plugin_host/api'
import { unique } from '#tests/support/fixtures'
import type { ResourceTypeConfig } from '../define_config.js'
import ResourceInventory from '../services/inventory.js'
import PoolsSettings from '../services/settings.js'

/**
 * Helpers of the plugin's tests. Suites share the run's database, so every
 * test works in a pool (or a type) of its own and counts only there.
 */
export const settings = () => app.container.make(PoolsSettings)

/** A domain no other test uses. */
export const uniqueDomain = () => `${unique('d')}.example`

/** An IPv4 /28 network (14 usable addresses) no other test is likely to use. */
export const uniqueNetwork = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(16) * 16}/28`

/** A valid Berlin number, written as an admin might. */
export const uniquePhone = () => `+49 30 ${randomInt(2_000_000, 9_999_999)}`

/**
 * A resource type of this test only (settings are per process: the test
 * server runs in this one), so counts of free resources are the test's own.
 * Removed again by the returned cleanup.
 */
export async function privateType(overrides: Partial<ResourceTypeConfig> = {}) {
  const pools = await settings()
  const name = `t_${randomBytes(4).toString('hex')}`
  pools.config.types[name] = {
    label: name,
    onRelease: 'quarantine',
    quarantineHours: 24,
    lowWatermark: 0,
    pattern: /[a-z0-9.-]+/,
    ...overrides,
  }
  return {
    name,
    remove: () => {
      delete pools.config.types[name]
    },
  }
}

/** Changes settings for one test; the returned function puts them back. */
export async function withSettings(change: (config: PoolsSettings['config']) => void) {
  const { config } = await settings()
  const onReport = config.onReport
  const types = Object.fromEntries(
    Object.entries(config.types).map(([type, value]) => [type, { ...value }])
  )
  change(config)
  return () => {
    config.onReport = onReport
    for (const [type, value] of Object.entries(types)) config.types[type] = value
  }
}

/** Adds values of a type through the service (as `resource:add` does); returns them normalized. */
export async function addResources(type: string, values: string[], pool: string | null = null) {
  const inventory = await app.container.make(ResourceInventory)
  const result = await inventory.add(
    values.map((value, index) => ({ line: index + 1, type, value, pool, notes: null })),
    cliActor('tests')
  )
  if (!result.ok) throw new Error(`adding failed: ${JSON.stringify(result.problems)}`)
  const rows = await db
    .from('resource_pools_resources')
    .where({ type })
    .if(pool !== null, (query) => query.where('pool', pool!))
    .orderBy('id', 'desc')
    .limit(result.added)
  return rows.reverse()
}

export async function resourcesOf(licenseId: number) {
  return db.from('resource_pools_resources').where({ license_id: licenseId }).orderBy('id')
}

export async function historyOf(resourceId: number) {
  return db.from('resource_pools_events').where('resource_id', resourceId).orderBy('id')
}
