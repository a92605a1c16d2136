/*
| Which plugins are enabled, and the session policy that licenses without a
| policy of their own use. The plugin host (and `node ace.ts plugin:*`) will
| edit this file; until it lands, the default policy is all that is read.
*/
const pluginsConfig = {
  enabled: [] as string[],
  defaultSessionPolicy: 'resumable',
}

export default pluginsConfig
