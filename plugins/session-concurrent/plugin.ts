import { definePlugin } from '#plugin_host/define_plugin'
import { defineConfig } from './define_config.js'
import ConcurrentSessionPolicy from './policy.js'

export default definePlugin({
  name: 'session-concurrent',
  kind: 'session-policy',
  version: '1.0.0',
  description:
    'Up to max_sessions live sessions per license; at the limit, deny or replace the oldest.',
  sessionPolicy: ConcurrentSessionPolicy.policyName,
  defineConfig,
  provider: () => import('./provider.js'),
})
