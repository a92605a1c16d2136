import type { JobHandler } from '#plugin_host/api'
import { ExpiryWatch } from '../services/expiry_watch.js'

/** `notifications:expiry` (daily): licenses expiring soon or just expired; old events pruned. */
const watchExpiry: JobHandler = async ({ app }) => {
  const watch = await app.container.make(ExpiryWatch)
  return watch.run()
}

export default watchExpiry
