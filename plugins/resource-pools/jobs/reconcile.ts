import type { JobHandler } from '#plugin_host/api'
import ResourceAllocator from '../services/allocator.js'

/**
 * Hourly: what revoked licenses still hold, and what deleted licenses held,
 * goes back to the pool. The listener on `license:status_changed` does it
 * at once; this catches whatever it missed (a revocation by a path that
 * emits nothing, a crash, a license deleted).
 */
const reconcile: JobHandler = async ({ app }) => {
  const allocator = await app.container.make(ResourceAllocator)
  const result = await allocator.reconcile({ type: 'system', label: 'resource-pools' })
  return result.released > 0 ? result : null
}

export default reconcile
