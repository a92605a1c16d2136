import { copyFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { Queue } from 'bullmq'
import app from '@adonisjs/core/services/app'
import redis from '@adonisjs/redis/services/main'
import { stringify } from 'yaml'
import type redisConfig from '#config/redis'
import { bullmqOptionsFrom } from '#services/job_scheduler'
import { freePort } from '../../bin/preflight.ts'
import { createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import {
  KEYWARD_METRICS,
  scratchFolder,
  startPrometheus,
  waitFor,
  type PrometheusServer,
} from '#tests/support/prometheus'
import {
  spawnAppProcess,
  startServerProcess,
  type AppProcess,
  type ServerProcess,
} from '#tests/support/server_process'

/**
 * End to end: a real Prometheus (Debian's) scrapes a real Keyward server
 * process and a real job worker every second with the bearer token from a
 * file, the way ops/prometheus/prometheus.yml does, and evaluates the
 * shipped alert rules.
 */
test.group('Prometheus scraping a Keyward server (end to end)', (group) => {
  const token = 'scrape-test-token-0123456789abcdef'
  let server: ServerProcess
  let worker: AppProcess
  let workerPort: number
  let prometheus: PrometheusServer
  let folder: string

  group.each.timeout(90_000)
  group.setup(async () => {
    const scratch = await scratchFolder('prometheus-e2e')
    folder = scratch.folder
    // 127.0.0.1 is not an allowed address here: only the token lets Prometheus in.
    const access = { METRICS_TOKEN: token, METRICS_ALLOW: '192.0.2.1' }
    workerPort = await freePort()
    ;[server, worker] = await Promise.all([
      startServerProcess(access),
      startWorker({ ...access, JOBS_METRICS_PORT: String(workerPort), SESSION_SWEEP_EVERY: '1s' }),
    ])
    const tokenFile = join(folder, 'metrics_token')
    await writeFile(tokenFile, token, { mode: 0o600 })
    await copyFile(app.makePath('ops', 'prometheus', 'alerts.yml'), join(folder, 'alerts.yml'))
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: ['alerts.yml'],
      scrape_configs: [
        {
          job_name: 'keyward',
          metrics_path: '/metrics',
          scrape_timeout: '1s',
          authorization: { type: 'Bearer', credentials_file: tokenFile },
          static_configs: [{ targets: [`127.0.0.1:${server.port}`] }],
        },
        {
          job_name: 'keyward-worker',
          metrics_path: '/metrics',
          scrape_timeout: '1s',
          authorization: { type: 'Bearer', credentials_file: tokenFile },
          static_configs: [{ targets: [`127.0.0.1:${workerPort}`] }],
        },
      ],
    }
    prometheus = await startPrometheus(stringify(config), folder)
    return async () => {
      await prometheus?.stop()
      await Promise.all([server?.stop(), worker?.stop()])
      await scratch.remove()
      // The worker's schedules and presence stay in this run's Redis: clear them for later tests.
      const queue = new Queue(
        'keyward',
        bullmqOptionsFrom(app.config.get<typeof redisConfig>('redis'))
      )
      await queue.obliterate({ force: true })
      await queue.close()
      await redis.del('jobs:workers', 'jobs:last_runs')
    }
  })

  test('a heartbeat sent to the server reaches Prometheus as keyward_heartbeats_total', async ({
    assert,
  }) => {
    const started = performance.now()
    const apiKey = await newApiKey()
    const license = await createLicense({ type: 'perpetual' })
    const post = (path: string, body: Record<string, unknown>) =>
      fetch(`${server.url}/api/license/${path}`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const start = await post('session/start', {
      license_key: license.key,
      hardware_fingerprint: fingerprint(),
    })
    assert.equal(start.status, 201)
    const { session_token: sessionToken } = (await start.json()) as { session_token: string }
    const heartbeat = await post('session/heartbeat', {
      session_token: sessionToken,
      license_key: license.key,
    })
    assert.equal(heartbeat.status, 200)

    // Prometheus hands its first targets to the scrapers about 5 s after it
    // starts (its discovery updates are batched): most of the wait is that.
    let accepted: string | undefined
    await waitFor(
      async () => {
        const result = await prometheus.query('keyward_heartbeats_total{outcome="accepted"}')
        accepted = result[0]?.value[1]
        return accepted === '1'
      },
      30_000,
      () => `Prometheus never saw the heartbeat (last value ${accepted}): ${prometheus.output()}`
    )
    const [sample] = await prometheus.query('keyward_heartbeats_total{outcome="accepted"}')
    assert.equal(sample.metric.job, 'keyward')
    assert.equal(sample.metric.instance, `127.0.0.1:${server.port}`)
    // The labels the alerts select on are the ones the server really writes
    // (the request is counted once its answer is sent: wait for that scrape too).
    await waitFor(
      async () => {
        const [requests] = await prometheus.query(
          'keyward_http_requests_total{method="POST",route="/api/license/session/heartbeat",status="200"}'
        )
        const [latency] = await prometheus.query(
          'keyward_http_request_duration_seconds_count{route="/api/license/session/heartbeat"}'
        )
        return requests?.value[1] === '1' && latency?.value[1] === '1'
      },
      30_000,
      () => 'the heartbeat request never showed in keyward_http_requests_total'
    )
    console.log(
      `      heartbeat → Prometheus sample in ${Math.round(performance.now() - started)} ms`
    )
  })

  test('the scrape passes with the token, the process reads ready, and the rules evaluate', async ({
    assert,
  }) => {
    await waitFor(
      async () => (await prometheus.query('keyward_ready')).length > 0,
      30_000,
      () => `no keyward_ready sample: ${prometheus.output()}`
    )
    const [up] = await prometheus.query('up{job="keyward"}')
    assert.equal(up.value[1], '1')
    const [ready] = await prometheus.query('keyward_ready')
    assert.equal(ready.value[1], '1')

    // Every rule of alerts.yml evaluates against real series without an error.
    let rules: Array<{ name: string; health: string; lastError?: string }> = []
    await waitFor(
      async () => {
        const response = await fetch(`${prometheus.url}/api/v1/rules?type=alert`)
        const body = (await response.json()) as {
          data: { groups: Array<{ rules: typeof rules }> }
        }
        rules = body.data.groups.flatMap((entry) => entry.rules)
        return rules.length === 15 && rules.every((rule) => rule.health !== 'unknown')
      },
      30_000,
      () => `rules not evaluated: ${JSON.stringify(rules)}`
    )
    for (const rule of rules) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError}`)
  })

  test('the job worker is scraped too: its job runs, and the web process sees it alive', async ({
    assert,
  }) => {
    // The job's name is `job_name`, apart from the scrape job's own `job` label.
    await waitFor(
      async () =>
        (
          await prometheus.query(
            'keyward_job_runs_total{job="keyward-worker",job_name="sessions:sweep",outcome="succeeded"}'
          )
        ).length > 0,
      30_000,
      () => `no sweeper run reached Prometheus: ${worker.output()}`
    )
    const [up] = await prometheus.query('up{job="keyward-worker"}')
    assert.equal(up.value[1], '1')
    // What the JobWorkerSilent alert computes, from the web process' gauge: seconds.
    await waitFor(
      async () =>
        (
          await prometheus.query(
            'time() - max(keyward_job_worker_last_seen_timestamp_seconds) < 30'
          )
        ).length > 0,
      30_000,
      () => 'the web process never reported the worker as seen'
    )
  })

  test('every metric a web process should expose is in its real /metrics', async ({ assert }) => {
    const response = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(response.status, 200)
    const exposed = new Set(
      [...(await response.text()).matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1])
    )
    const expected = [
      ...KEYWARD_METRICS.counters,
      ...KEYWARD_METRICS.histograms,
      ...KEYWARD_METRICS.gauges,
      ...KEYWARD_METRICS.processDefaults,
    ].filter((name) => !KEYWARD_METRICS.workerOnly.includes(name))
    for (const name of expected) {
      assert.isTrue(exposed.has(name), `${name} is not in /metrics`)
    }
  })
})

/** `jobs:work` as a process of its own, once its metrics listener answers. */
async function startWorker(env: Record<string, string>) {
  const worker = spawnAppProcess(['ace.ts', 'jobs:work'], { HOST: '127.0.0.1', ...env })
  const url = `http://127.0.0.1:${env.JOBS_METRICS_PORT}/metrics`
  await waitFor(
    async () => {
      if (worker.child.exitCode !== null) throw new Error(`jobs:work exited: ${worker.output()}`)
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${env.METRICS_TOKEN}` },
      }).catch(() => null)
      return response?.status === 200
    },
    30_000,
    () => `jobs:work did not listen on ${url}: ${worker.output()}`
  )
  return worker
}
