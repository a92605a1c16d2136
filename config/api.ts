import env from '#start/env'
import { parseRateLimit } from '#support/rate_limit'

/**
 * The client API. `rateLimit` applies per client IP across all server
 * processes (counters in Redis); `API_RATE_LIMIT=0` switches it off.
 * `apiKeyCache`: how long a process believes an API key it authenticated
 * without asking the database (app/services/api_key_cache.ts): a revoked
 * key passes nowhere for longer than this; `API_KEY_CACHE_MS=0` switches
 * the cache off.
 */
const apiConfig = {
  rateLimit: parseRateLimit(env.get('API_RATE_LIMIT', '100 per minute')),
  apiKeyCache: {
    ttlMs: env.get('API_KEY_CACHE_MS', 1000),
    maxEntries: 10_000,
  },
}

export default apiConfig
