import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { parse } from 'yaml'
import {
  checkTool,
  knownSeriesNames,
  metricNamesIn,
  promtool,
  scratchFolder,
} from '#tests/support/prometheus'

/**
 * The Prometheus configuration, alert rules and Grafana dashboard shipped in
 * ops/, checked with Debian's real promtool and amtool: the rules' own unit tests run,
 * and every query names only metrics Keyward exposes.
 */

const ops = (...parts: string[]) => app.makePath('ops', ...parts)

interface AlertRule {
  alert: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}
interface RuleTest {
  alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }>
}

async function alertRules(): Promise<AlertRule[]> {
  const rules = parse(await readFile(ops('prometheus', 'alerts.yml'), 'utf8'))
  return rules.groups.flatMap((group: { rules: AlertRule[] }) => group.rules)
}

/** GitHub's anchors of the Markdown headings of a file. */
async function headingAnchors(path: string) {
  const text = await readFile(path, 'utf8')
  return new Set(
    [...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) =>
      match[1]
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-')
    )
  )
}

const ALERTS = [
  'KeywardDown',
  'KeywardNotReady',
  'HighErrorRate',
  'HeartbeatLatencyHigh',
  'DatabaseDown',
  'RedisDown',
  'JobWorkerSilent',
  'BackupTooOld',
  'BackupFailed',
  'BackupUploadFailed',
  'DiskSpaceLow',
  'HighCpu',
  'HighMemory',
  'SessionRefusalBurst',
  'UnauthorizedBurst',
]

test.group('Shipped Prometheus configuration and alerts (ops/)', () => {
  test('promtool check config accepts prometheus.yml with its rule and token files', async ({
    assert,
    cleanup,
  }) => {
    const { folder, remove } = await scratchFolder('promtool')
    cleanup(remove)
    const shipped = await readFile(ops('prometheus', 'prometheus.yml'), 'utf8')
    const tokenPath = join(folder, 'keyward_metrics_token')
    assert.include(shipped, '/etc/prometheus/keyward_metrics_token')
    await writeFile(
      join(folder, 'prometheus.yml'),
      shipped.replaceAll('/etc/prometheus/keyward_metrics_token', tokenPath)
    )
    await writeFile(tokenPath, 'a-metrics-token\n', { mode: 0o600 })
    await copyFile(ops('prometheus', 'alerts.yml'), join(folder, 'alerts.yml'))

    const result = await promtool(['check', 'config', 'prometheus.yml'], folder)
    assert.equal(result.code, 0, result.output)
    assert.match(result.output, /SUCCESS: prometheus\.yml is valid/)
    assert.match(result.output, /SUCCESS: 15 rules found/)
  })

  test('prometheus.yml scrapes the web processes and the job worker with the token from a file', async ({
    assert,
  }) => {
    const config = parse(await readFile(ops('prometheus', 'prometheus.yml'), 'utf8'))
    assert.deepEqual(config.rule_files, ['alerts.yml'])
    assert.isNotEmpty(config.alerting.alertmanagers[0].static_configs[0].targets)
    const jobs = Object.fromEntries(
      config.scrape_configs.map((job: { job_name: string }) => [job.job_name, job])
    )
    assert.sameMembers(Object.keys(jobs), ['keyward', 'keyward-worker'])
    for (const job of Object.values(jobs) as any[]) {
      assert.equal(job.metrics_path, '/metrics')
      assert.equal(job.authorization.type, 'Bearer')
      assert.isString(job.authorization.credentials_file)
      assert.notProperty(job.authorization, 'credentials')
    }
    assert.isAbove(jobs.keyward.static_configs[0].targets.length, 1, 'N web processes')
  })

  test('amtool check-config accepts the example alertmanager.yml, which routes both severities', async ({
    assert,
  }) => {
    const result = await checkTool(
      'amtool',
      ['check-config', 'alertmanager.yml'],
      ops('alertmanager')
    )
    assert.equal(result.code, 0, result.output)
    assert.match(result.output, /SUCCESS/)
    const config = parse(await readFile(ops('alertmanager', 'alertmanager.yml'), 'utf8'))
    assert.deepEqual(config.route.routes[0].matchers, ['severity="critical"'])
    const severities = new Set((await alertRules()).map((rule) => rule.labels?.severity))
    assert.sameMembers([...severities], ['critical', 'warning'])
  })

  test('promtool check rules accepts alerts.yml', async ({ assert }) => {
    const result = await promtool(['check', 'rules', 'alerts.yml'], ops('prometheus'))
    assert.equal(result.code, 0, result.output)
    assert.match(result.output, /SUCCESS: 15 rules found/)
  })

  test('the rules pass their unit tests (promtool test rules alerts.test.yml)', async ({
    assert,
  }) => {
    const result = await promtool(['test', 'rules', 'alerts.test.yml'], ops('prometheus'))
    assert.equal(result.code, 0, result.output)
    assert.match(result.output, /SUCCESS/)
  })

  test('the unit tests catch a broken rule (a threshold changed)', async ({ assert, cleanup }) => {
    const { folder, remove } = await scratchFolder('promtool-broken')
    cleanup(remove)
    const rules = await readFile(ops('prometheus', 'alerts.yml'), 'utf8')
    const broken = rules.replace(
      'status=~"5.."}[5m]))\n            / sum',
      'status=~"5.."}[5m]))\n            / 100 / sum'
    )
    assert.notEqual(broken, rules)
    await writeFile(join(folder, 'alerts.yml'), broken)
    await copyFile(ops('prometheus', 'alerts.test.yml'), join(folder, 'alerts.test.yml'))
    const result = await promtool(['test', 'rules', 'alerts.test.yml'], folder)
    assert.notEqual(result.code, 0)
    assert.match(result.output, /HighErrorRate/)
  })

  test('the alerts the operations guide promises exist, each with severity, summary, description and runbook', async ({
    assert,
  }) => {
    const rules = await alertRules()
    assert.sameMembers(
      rules.map((rule) => rule.alert),
      ALERTS
    )
    const anchors = await headingAnchors(app.makePath('docs', 'operations.md'))
    for (const rule of rules) {
      assert.oneOf(rule.labels?.severity, ['critical', 'warning'], rule.alert)
      assert.isNotEmpty(rule.annotations?.summary, rule.alert)
      assert.isNotEmpty(rule.annotations?.description, rule.alert)
      const runbook = rule.annotations?.runbook_url ?? ''
      const anchor = /^docs\/operations\.md#([\w-]+)$/.exec(runbook)
      assert.isNotNull(anchor, `${rule.alert}: runbook_url ${runbook}`)
      assert.isTrue(anchors.has(anchor![1]), `${rule.alert}: no heading #${anchor![1]}`)
    }
  })

  test('alerts.test.yml has, for every alert, a case where it fires and one where it does not', async ({
    assert,
  }) => {
    const tests: RuleTest[] = parse(
      await readFile(ops('prometheus', 'alerts.test.yml'), 'utf8')
    ).tests
    const cases = tests.flatMap((entry) => entry.alert_rule_test ?? [])
    for (const alert of ALERTS) {
      const mine = cases.filter((entry) => entry.alertname === alert)
      assert.isTrue(
        mine.some((entry) => (entry.exp_alerts ?? []).length > 0),
        `${alert} never fires in alerts.test.yml`
      )
      assert.isTrue(
        mine.some((entry) => (entry.exp_alerts ?? []).length === 0),
        `${alert} has no case where it stays silent`
      )
    }
  })

  test('the alerts name only metrics Keyward exposes', async ({ assert }) => {
    const known = knownSeriesNames()
    for (const rule of await alertRules()) {
      const names = metricNamesIn(rule.expr)
      assert.isNotEmpty(names, rule.alert)
      for (const name of names) assert.isTrue(known.has(name), `${rule.alert}: unknown ${name}`)
    }
  })

  test('the metric-name check sees through PromQL (and would catch a typo)', async ({ assert }) => {
    assert.sameMembers(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le) (rate(keyward_http_request_duration_seconds_bucket{route="/api/x"}[5m]))) > 0.25'
      ),
      ['keyward_http_request_duration_seconds_bucket']
    )
    assert.sameMembers(
      metricNamesIn('time() - max(keyward_backup_last_success_timestamp_seconds) > 26 * 3600'),
      ['keyward_backup_last_success_timestamp_seconds']
    )
    assert.sameMembers(
      metricNamesIn(
        '1 - keyward_host_memory_available_bytes{instance=~"$instance"} / keyward_host_memory_total_bytes > 1e9'
      ),
      ['keyward_host_memory_available_bytes', 'keyward_host_memory_total_bytes']
    )
    assert.sameMembers(metricNamesIn('label_values(up{job=~"keyward"}, instance)'), ['up'])
    const typo = metricNamesIn('sum(rate(keyward_http_request_total{status="401"}[5m])) > 1')
    assert.deepEqual(typo, ['keyward_http_request_total'])
    assert.isFalse(knownSeriesNames().has(typo[0]))
  })
})

interface Panel {
  type: string
  title: string
  datasource?: { type: string; uid: string }
  targets?: Array<{ expr: string; datasource?: { uid: string } }>
  panels?: Panel[]
}

test.group('Shipped Grafana dashboard (ops/grafana/keyward.json)', () => {
  async function dashboard() {
    return JSON.parse(await readFile(ops('grafana', 'keyward.json'), 'utf8'))
  }
  function allPanels(panels: Panel[]): Panel[] {
    return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])])
  }

  test('it is importable JSON with a ${DS_PROMETHEUS} datasource input', async ({ assert }) => {
    const board = await dashboard()
    assert.equal(board.title, 'Keyward')
    assert.isString(board.uid)
    assert.deepInclude(board.__inputs, {
      name: 'DS_PROMETHEUS',
      label: 'Prometheus',
      description: board.__inputs[0].description,
      type: 'datasource',
      pluginId: 'prometheus',
      pluginName: 'Prometheus',
    })
    const queried = allPanels(board.panels).filter((panel) => panel.type !== 'row')
    assert.isAbove(queried.length, 20)
    for (const panel of queried) {
      assert.equal(panel.datasource?.uid, '${DS_PROMETHEUS}', panel.title)
      assert.isNotEmpty(panel.targets, panel.title)
    }
    for (const variable of board.templating.list) {
      assert.equal(variable.datasource.uid, '${DS_PROMETHEUS}')
    }
  })

  test('every query names only metrics Keyward exposes', async ({ assert }) => {
    const board = await dashboard()
    const known = knownSeriesNames()
    const expressions = [
      ...allPanels(board.panels).flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ title: panel.title, expr: target.expr }))
      ),
      ...board.templating.list.map((variable: { name: string; query: { query: string } }) => ({
        title: `$${variable.name}`,
        expr: variable.query.query,
      })),
    ]
    for (const { title, expr } of expressions) {
      const names = metricNamesIn(expr)
      assert.isNotEmpty(names, `${title}: ${expr}`)
      for (const name of names) assert.isTrue(known.has(name), `${title}: unknown ${name}`)
    }
  })

  test('it has panels for every metric family of the operations guide', async ({ assert }) => {
    const board = await dashboard()
    const used = new Set(
      allPanels(board.panels).flatMap((panel) =>
        (panel.targets ?? []).flatMap((target) => metricNamesIn(target.expr))
      )
    )
    const expected = [
      'up',
      'keyward_ready',
      'keyward_http_requests_total',
      'keyward_http_request_duration_seconds_bucket',
      'keyward_session_starts_total',
      'keyward_heartbeats_total',
      'keyward_sessions_live',
      'keyward_api_refusals_total',
      'keyward_activations_total',
      'keyward_deactivations_total',
      'keyward_rate_limited_total',
      'keyward_job_runs_total',
      'keyward_job_duration_seconds_sum',
      'keyward_job_last_success_timestamp_seconds',
      'keyward_job_worker_last_seen_timestamp_seconds',
      'keyward_queue_jobs',
      'keyward_db_pool_connections',
      'keyward_database_up',
      'keyward_redis_up',
      'keyward_backup_last_success_timestamp_seconds',
      'keyward_backup_last_size_bytes',
      'keyward_backup_last_run_failed',
      'keyward_disk_free_bytes',
      'keyward_host_cpu_seconds_total',
      'keyward_host_memory_available_bytes',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]
    for (const name of expected) assert.isTrue(used.has(name), `no panel shows ${name}`)
  })
})
