import { defineConfig } from '@adonisjs/static'

/**
 * The panel's stylesheet and scripts, served from `public/` by the app
 * itself: no CDN, nothing fetched from elsewhere.
 */
const staticServerConfig = defineConfig({
  enabled: true,
  etag: true,
  lastModified: true,
  dotFiles: 'ignore',
})

export default staticServerConfig
