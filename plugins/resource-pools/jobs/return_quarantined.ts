import type { JobHandler } from '#plugin_host/api'
import ResourceAllocator from '../services/allocator.js'

/** Hourly: quarantined resources whose period has passed are free again. */
const returnQuarantined: JobHandler = async ({ app }) => {
  const allocator = await app.container.make(ResourceAllocator)
  const returned = await allocator.returnFromQuarantine({ type: 'system', label: 'resource-pools' })
  return returned > 0 ? { returned } : null
}

export default returnQuarantined
