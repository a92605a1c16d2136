import { definePlugin } from '#plugin_host/define_plugin'
import SingleSessionPolicy from './policy.js'

export default definePlugin({
  name: 'session-single',
  kind: 'session-policy',
  version: '1.0.0',
  description: 'One live session per license, the same device included: no reclaim grace.',
  sessionPolicy: SingleSessionPolicy.policyName,
  provider: () => import('./provider.js'),
})
