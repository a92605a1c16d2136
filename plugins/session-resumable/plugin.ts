import { definePlugin } from '#plugin_host/define_plugin'
import ResumableSessionPolicy from './policy.js'

export default definePlugin({
  name: 'session-resumable',
  kind: 'session-policy',
  version: '1.0.0',
  description:
    'The same device resumes its live session (a launcher and its program share one); ' +
    'other devices up to max_sessions.',
  sessionPolicy: ResumableSessionPolicy.policyName,
  provider: () => import('./provider.js'),
})
