import env from '#start/env'
import { parseRateLimit } from '#support/rate_limit'

/**
 * The client API. `rateLimit` applies per client IP across all server
 * processes (counters in Redis); `API_RATE_LIMIT=0` switches it off.
 */
const apiConfig = {
  rateLimit: parseRateLimit(env.get('API_RATE_LIMIT', '100 per minute')),
}

export default apiConfig
