import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../bin/preflight.ts'
import { spawnTracked } from './child_processes.ts'

const run = promisify(execFile)

/**
 * The metric names Keyward exposes (the contract of issue 17: prefix
 * `keyward_`, plus prom-client's default process and Node.js metrics and
 * Prometheus' own `up`). The shipped alerts and dashboard may name only
 * these; a test holds them against a real /metrics as well.
 */
export const KEYWARD_METRICS = {
  counters: [
    'keyward_http_requests_total',
    'keyward_session_starts_total',
    'keyward_heartbeats_total',
    'keyward_api_refusals_total',
    'keyward_activations_total',
    'keyward_deactivations_total',
    'keyward_rate_limited_total',
    'keyward_job_runs_total',
    'keyward_host_cpu_seconds_total',
  ],
  histograms: ['keyward_http_request_duration_seconds', 'keyward_job_duration_seconds'],
  gauges: [
    'keyward_sessions_live',
    'keyward_job_worker_last_seen_timestamp_seconds',
    'keyward_job_last_success_timestamp_seconds',
    'keyward_queue_jobs',
    'keyward_db_pool_connections',
    'keyward_database_up',
    'keyward_redis_up',
    'keyward_backup_last_success_timestamp_seconds',
    'keyward_backup_last_size_bytes',
    'keyward_backup_last_run_failed',
    'keyward_backup_last_upload_failed',
    'keyward_disk_free_bytes',
    'keyward_disk_size_bytes',
    'keyward_host_cpus',
    'keyward_host_memory_total_bytes',
    'keyward_host_memory_available_bytes',
    'keyward_ready',
  ],
  /** Only on the job worker's own listener (JOBS_METRICS_PORT), not on a web process. */
  workerOnly: ['keyward_job_runs_total', 'keyward_job_duration_seconds'],
  /** prom-client's collectDefaultMetrics() (the ones the dashboard reads). */
  processDefaults: [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_p99_seconds',
    'nodejs_heap_size_used_bytes',
  ],
}

/** Every series name a query may use: histograms with their _bucket, _sum and _count. */
export function knownSeriesNames() {
  return new Set([
    'up',
    ...KEYWARD_METRICS.counters,
    ...KEYWARD_METRICS.gauges,
    ...KEYWARD_METRICS.processDefaults,
    ...KEYWARD_METRICS.histograms.flatMap((name) => [
      `${name}_bucket`,
      `${name}_sum`,
      `${name}_count`,
    ]),
  ])
}

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
])

/**
 * The metric names a PromQL expression selects: what is left once label
 * matchers, ranges, grouping clauses, strings, numbers, Grafana variables
 * and function calls are taken out. Grafana's `label_values(<expr>, label)`
 * counts as its expression.
 */
export function metricNamesIn(expression: string) {
  const labelValues = /^\s*label_values\(\s*(.*),\s*[A-Za-z_]\w*\s*\)\s*$/s.exec(expression)
  const stripped = (labelValues ? labelValues[1] : expression)
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/(?<![\w:])\d+(\.\d+)?(e[+-]?\d+)?(?![\w:])/gi, ' ')
  const names = new Set<string>()
  for (const match of stripped.matchAll(/[A-Za-z_:][\w:]*(?!\s*\(|[\w:])/g)) {
    if (!PROMQL_KEYWORDS.has(match[0].toLowerCase())) names.add(match[0])
  }
  return [...names]
}

/** Runs `promtool` with `args` in `cwd`: its exit code and output. */
export function promtool(args: string[], cwd: string) {
  return checkTool('promtool', args, cwd)
}

/** Runs a checking program (promtool, amtool) in `cwd`: its exit code and output. */
export async function checkTool(command: string, args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd })
    return { code: 0, output: `${stdout}${stderr}` }
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string }
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` }
  }
}

/** A temporary folder, removed by the returned function. */
export async function scratchFolder(prefix: string) {
  const folder = await mkdtemp(join(tmpdir(), `keyward-${prefix}-`))
  return { folder, remove: () => rm(folder, { recursive: true, force: true }) }
}

export interface PrometheusServer {
  url: string
  output(): string
  stop(): Promise<void>
  /** An instant query through the HTTP API: the result vector. */
  query(
    expression: string
  ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>
}

/**
 * A real Prometheus (Debian's `prometheus`) on a free loopback port with
 * `config` (YAML text), its TSDB in a temporary folder; ready when its
 * /-/ready answers.
 */
export async function startPrometheus(config: string, folder: string): Promise<PrometheusServer> {
  const port = await freePort()
  const configPath = join(folder, 'prometheus.yml')
  await writeFile(configPath, config)
  const child = spawnTracked(
    'prometheus',
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(folder, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let output = ''
  child.stdout?.on('data', (chunk) => (output += chunk))
  child.stderr?.on('data', (chunk) => (output += chunk))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${output}`)
      const response = await fetch(`${url}/-/ready`).catch(() => null)
      return response?.ok === true
    },
    30_000,
    () => `prometheus did not become ready: ${output}`
  )
  return {
    url,
    output: () => output,
    stop,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`)
      const body = (await response.json()) as {
        status: string
        data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }
        error?: string
      }
      if (body.status !== 'success') throw new Error(`query ${expression} failed: ${body.error}`)
      return body.data!.result
    },
  }
}

/**
 * Polls `condition` (every 100 ms) until it holds; past `timeoutMs` it
 * fails with `describe()`. No fixed sleeps: it returns as soon as it can.
 */
export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string
) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(describe())
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
