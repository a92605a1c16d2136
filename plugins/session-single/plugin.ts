import { definePlugin } from '#plugin_host/define_plugin'

export default definePlugin({
  name: 'session-single',
  kind: 'session-policy',
  version: '1.0.0',
  description: 'One live session per license, the same device included: no reclaim grace.',
  sessionPolicy: 'single',
  provider: () => import('./provider.js'),
})
