import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/**
 * Chart.js's browser build, served by the app itself (no CDN): the
 * package's entry is dist/chart.js, its UMD build sits beside it.
 */
export const CHART_JS_FILE = fileURLToPath(
  new URL('chart.umd.min.js', import.meta.resolve('chart.js'))
)
const CHART_JS_PATH = '/assets/vendor/chart.umd.min.js'

let chartJsFile: Promise<{ tag: string; size: number }> | undefined

/** A short hash of the installed file: its URL changes when chart.js does. */
export function chartJsTag() {
  chartJsFile ??= readFile(CHART_JS_FILE).then((content) => ({
    tag: createHash('sha256').update(content).digest('hex').slice(0, 16),
    size: content.length,
  }))
  return chartJsFile
}

/** Where pages load Chart.js from (core pages and plugins' alike). */
export async function chartJsUrl() {
  const { tag } = await chartJsTag()
  return `${CHART_JS_PATH}?v=${tag}`
}
