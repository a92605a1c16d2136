/*
| The figures: a line for each run while it goes, then the table, the
| comparison of the heartbeat throughput against the pgbench ceiling, the
| latency target, and bench/results.json.
*/
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Harness, ROOT, round } from './harness.ts'
import { OTHER_WORK_LIMIT } from './other_work.ts'
import {
  START_RATE,
  type Figures,
  type Measured,
  type MetricsOnOff,
  type PgbenchResult,
} from './runs.ts'
import type { Machine, ServerMode, Settings } from './setup.ts'

const RESULTS_FILE = join(ROOT, 'bench/results.json')

/** The targets of the requirements, on a 2-core machine. */
const TARGET_RATIO = 0.25
const TARGET_P99_MS = 50
/** Usage records: at least this many per second at full speed, and p99 ≤ TARGET_P99_MS at the fixed rate. */
const TARGET_USAGE_RECORDS_PER_SECOND = 1000
/** Issue 21: heartbeats against the bare UPDATE's ceiling, tighter latency, faster starts and verifies. */
const TARGET_BARE_RATIO = 0.5
const TARGET_P99_AT_1000_MS = 20
const TARGET_RESUMES_PER_SECOND = 1500
const TARGET_FRESH_STARTS_PER_SECOND = 800
const TARGET_VERIFIES_PER_SECOND = 3000
/** Issue 21's targets this bench does not measure yet: named in the report, so no one takes silence for a pass. */
const NOT_MEASURED_YET = [
  'heartbeat p99 ≤ 50 ms at a fixed 3,300/s on the bench’s 2,000 sessions (the simulation measures it on 100,000)',
]

type Verdict = { name: string; figure: string; target: string; pass: boolean }

function verdictLine({ name, figure, target, pass }: Verdict) {
  return `${name}: ${figure}   (target ${target})   ${pass ? 'PASS' : 'FAIL'}`
}

function disturbed(measured: { otherWorkPercent?: number }) {
  const share = measured.otherWorkPercent ?? 0
  return share > OTHER_WORK_LIMIT ? `  ← other processes used ${share} % of the machine` : ''
}

function describeLoad(measured: Measured) {
  const codes = Object.entries(measured.statusCodes)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ')
  return `${measured.requestsPerSecond} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms (${codes || 'no answers'}${measured.errors ? `, ${measured.errors} errors` : ''})`
}

/** The line printed when a pgbench run ends. */
export function pgbenchLine(measured: PgbenchResult) {
  return (
    `        ${round(measured.tps, 0)} tps, latency average ${measured.latencyAverageMs} ms, ` +
    `${measured.rowsLogged} heartbeats logged for ${measured.transactions} transactions` +
    disturbed(measured)
  )
}

/** The line printed when an autocannon run ends. */
export function loadLine(measured: Measured) {
  return `        ${describeLoad(measured)}${measured.valid ? '' : '  ← NOT VALID'}${disturbed(measured)}`
}

/** What the metrics cost the heartbeat: on against off, each side's median run. */
function metricsComparison({ on, off, rounds, secondsPerRun, everyRun }: MetricsOnOff) {
  return {
    rounds,
    secondsPerRun,
    everyRun,
    heartbeatMaxRequestsPerSecond: {
      on: on.heartbeatMax.requestsPerSecond,
      off: off.heartbeatMax.requestsPerSecond,
    },
    heartbeatMaxP99Ms: { on: on.heartbeatMax.p99Ms, off: off.heartbeatMax.p99Ms },
    heartbeatFixedP99Ms: { on: on.heartbeatFixed.p99Ms, off: off.heartbeatFixed.p99Ms },
    ...(on.extra && off.extra
      ? {
          extraRequestsPerSecond: {
            on: on.extra.requestsPerSecond,
            off: off.extra.requestsPerSecond,
          },
        }
      : {}),
    throughputChangePercent: round(
      ((on.heartbeatMax.requestsPerSecond - off.heartbeatMax.requestsPerSecond) /
        off.heartbeatMax.requestsPerSecond) *
        100
    ),
  }
}

export function report(
  harness: Harness,
  settings: Settings,
  prepared: { mode: ServerMode; host: Machine },
  figures: Figures
) {
  const { mode, host } = prepared
  const { pgbench, pgbenchUnprepared, pgbenchBare, results, heartbeatMax, heartbeatFixed } = figures
  const { startResume, startFresh, startFreshFixed, verifyMax } = figures
  const ratioBare = heartbeatMax.requestsPerSecond / pgbenchBare.tps
  const ratio = heartbeatMax.requestsPerSecond / pgbench.tps
  const ratioUnprepared = heartbeatMax.requestsPerSecond / pgbenchUnprepared.tps
  const ratioPass = heartbeatMax.valid && ratio >= TARGET_RATIO
  const rateReached = heartbeatFixed.requestsPerSecond >= settings.rate * 0.95
  const p99Pass = heartbeatFixed.valid && rateReached && heartbeatFixed.p99Ms <= TARGET_P99_MS
  const { usageMax, usageFixed } = figures
  const usageRatePass =
    usageMax.valid && usageMax.requestsPerSecond >= TARGET_USAGE_RECORDS_PER_SECOND
  const usageRateReached = usageFixed.requestsPerSecond >= settings.rate * 0.95
  const usageP99Pass = usageFixed.valid && usageRateReached && usageFixed.p99Ms <= TARGET_P99_MS

  const line = '─'.repeat(100)
  const row = (cells: (string | number | undefined)[]) =>
    cells
      .map((cell, index) =>
        index === 0 ? String(cell).padEnd(30) : String(cell ?? '–').padStart(10)
      )
      .join('')
  console.log(`\n${line}`)
  console.log(
    `Keyward session API benchmark, ${new Date().toISOString().slice(0, 10)}: ${host.cores} cores (${host.cpu}), ` +
      `Node ${host.node}, PostgreSQL ${host.postgres} (autovacuum ${host.autovacuum})`
  )
  console.log(
    `server: ${mode.label}; rate limit off, LOG_LEVEL=warn, metrics ${settings.metrics === 'off' ? 'off' : 'on'}` +
      (figures.metricsOnOff
        ? `; * = median of ${figures.metricsOnOff.rounds} alternated ${figures.metricsOnOff.secondsPerRun}s runs on fresh servers, metrics on / off`
        : '')
  )
  console.log(
    `autocannon: ${settings.connections} connections, pipelining 1, ${settings.duration}s per run, ` +
      `${settings.sessions} sessions cycled`
  )
  console.log(line)
  console.log(
    row(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'valid', 'other %'])
  )
  for (const measured of results) {
    console.log(
      row([
        measured.scenario,
        measured.requestsPerSecond,
        measured.p50Ms,
        measured.p99Ms,
        measured.non2xx,
        measured.errors + measured.timeouts,
        measured.valid ? 'yes' : 'NO',
        measured.otherWorkPercent,
      ])
    )
    if (measured.remark) console.log(`  ${measured.remark}`)
  }
  for (const measured of [pgbench, pgbenchUnprepared, pgbenchBare]) {
    console.log(
      row([
        `pgbench ${measured === pgbenchBare ? 'bare UPDATE' : `-M ${measured.protocol}`} (-c ${measured.clients})`,
        `${round(measured.tps, 0)} tps`,
        `avg ${measured.latencyAverageMs}`,
        '',
        '',
        measured.failed,
        measured.rowsLogged === (measured === pgbenchBare ? 0 : measured.transactions)
          ? 'yes'
          : 'NO',
        measured.otherWorkPercent,
      ])
    )
  }
  console.log(line)
  const rate = settings.rate
  const atRate = (measured: Measured) =>
    `${measured.p99Ms} ms at ${measured.requestsPerSecond} req/s`
  const p99At1000Pass =
    rate === 1000 &&
    heartbeatFixed.valid &&
    rateReached &&
    heartbeatFixed.p99Ms <= TARGET_P99_AT_1000_MS
  const verdicts: Verdict[] = [
    {
      name: 'heartbeat / pgbench ceiling (-M prepared)',
      figure: `${round(ratio * 100)} %`,
      target: `≥ ${TARGET_RATIO * 100} %`,
      pass: ratioPass,
    },
    {
      name: `heartbeat p99 at ${rate}/s`,
      figure: atRate(heartbeatFixed),
      target: `≤ ${TARGET_P99_MS} ms`,
      pass: p99Pass,
    },
    {
      name: 'usage records at full speed',
      figure: `${usageMax.requestsPerSecond} records/s`,
      target: `≥ ${TARGET_USAGE_RECORDS_PER_SECOND}`,
      pass: usageRatePass,
    },
    {
      name: `usage record p99 at ${rate}/s`,
      figure: atRate(usageFixed),
      target: `≤ ${TARGET_P99_MS} ms`,
      pass: usageP99Pass,
    },
    {
      name: 'heartbeat / pgbench bare UPDATE ceiling',
      figure: `${round(ratioBare * 100)} %`,
      target: `≥ ${TARGET_BARE_RATIO * 100} %`,
      pass: heartbeatMax.valid && ratioBare >= TARGET_BARE_RATIO,
    },
    {
      name: 'heartbeat p99 at 1000/s (issue 21)',
      figure: rate === 1000 ? atRate(heartbeatFixed) : `not run (--rate ${rate})`,
      target: `≤ ${TARGET_P99_AT_1000_MS} ms`,
      pass: p99At1000Pass,
    },
    {
      name: 'session start, resume',
      figure: `${startResume.requestsPerSecond}/s`,
      target: `≥ ${TARGET_RESUMES_PER_SECOND}`,
      pass: startResume.valid && startResume.requestsPerSecond >= TARGET_RESUMES_PER_SECOND,
    },
    {
      name: 'session start, fresh',
      figure: `${startFresh.requestsPerSecond}/s`,
      target: `≥ ${TARGET_FRESH_STARTS_PER_SECOND}`,
      pass: startFresh.valid && startFresh.requestsPerSecond >= TARGET_FRESH_STARTS_PER_SECOND,
    },
    {
      name: `session start, fresh, p99 at ${START_RATE}/s`,
      figure: `${startFreshFixed.p99Ms} ms at ${startFreshFixed.requestsPerSecond} req/s`,
      target: `≤ ${TARGET_P99_MS} ms`,
      pass:
        startFreshFixed.valid &&
        startFreshFixed.requestsPerSecond >= START_RATE * 0.95 &&
        startFreshFixed.p99Ms <= TARGET_P99_MS,
    },
    {
      name: 'verify at full speed',
      figure: `${verifyMax.requestsPerSecond}/s`,
      target: `≥ ${TARGET_VERIFIES_PER_SECOND}`,
      pass: verifyMax.valid && verifyMax.requestsPerSecond >= TARGET_VERIFIES_PER_SECOND,
    },
  ]
  console.log(
    `heartbeat / pgbench -M extended (unprepared): ${round(ratioUnprepared * 100)} %   (for reference)`
  )
  const { simulation, withHistory } = figures
  if (withHistory) {
    const change =
      (withHistory.heartbeatMax.requestsPerSecond - heartbeatMax.requestsPerSecond) /
      heartbeatMax.requestsPerSecond
    verdicts.push({
      name: 'heartbeats with 20 M logged beats and 5 M ended sessions, against empty history',
      figure: `${withHistory.heartbeatMax.requestsPerSecond} against ${heartbeatMax.requestsPerSecond} req/s (${round(change * 100)} %)`,
      target: 'within 10 %',
      pass: withHistory.heartbeatMax.valid && Math.abs(change) <= 0.1,
    })
  } else {
    console.log(
      'not measured in this run: heartbeats over a long history (npm run bench -- --history)'
    )
  }
  if (simulation) {
    verdicts.push({
      name: `simulation, ${simulation.clients.toLocaleString('en')} clients at ${simulation.rate}/s for ${simulation.seconds}s`,
      figure:
        `${simulation.requestsPerSecond} req/s, p99 ${simulation.p99Ms} ms, ${simulation.non2xx + simulation.errors} failed, ` +
        `${simulation.silentLeftLive} of ${simulation.silentSessions} expired sessions left unswept` +
        (simulation.remark ? ` (${simulation.remark})` : ''),
      target: 'no error, p99 ≤ 50 ms, sweeper keeping up',
      pass:
        simulation.valid &&
        simulation.p99Ms <= TARGET_P99_MS &&
        simulation.requestsPerSecond >= simulation.rate * 0.95,
    })
  } else {
    console.log(
      'not measured in this run: the 100,000-client simulation (npm run bench -- --simulate)'
    )
  }
  for (const verdict of verdicts) console.log(verdictLine(verdict))
  if (figures.byProcesses.length > 1) {
    console.log(
      'heartbeats by server processes: ' +
        figures.byProcesses
          .map(
            (entry) =>
              `${entry.processes}: ${entry.requestsPerSecond} req/s (p99 ${entry.p99Ms} ms)`
          )
          .join(', ')
    )
  }
  for (const target of NOT_MEASURED_YET) console.log(`not measured by this bench yet: ${target}`)
  const comparison = figures.metricsOnOff ? metricsComparison(figures.metricsOnOff) : null
  const securityComparison = figures.securityOnOff ? metricsComparison(figures.securityOnOff) : null
  for (const [label, compared] of [
    ['metrics', comparison],
    ['security events', securityComparison],
  ] as const) {
    if (!compared) continue
    const { heartbeatMaxRequestsPerSecond: rps, heartbeatMaxP99Ms: maxP99 } = compared
    const fixedP99 = compared.heartbeatFixedP99Ms
    console.log(
      `${label} on / off (medians): heartbeat max ${rps.on} / ${rps.off} req/s (${compared.throughputChangePercent} %), ` +
        `p99 ${maxP99.on} / ${maxP99.off} ms; p99 at ${settings.rate}/s ${fixedP99.on} / ${fixedP99.off} ms` +
        (compared.extraRequestsPerSecond
          ? `; unknown-key verifies ${compared.extraRequestsPerSecond.on} / ${compared.extraRequestsPerSecond.off} req/s`
          : '')
    )
  }
  const busiest = Math.max(
    ...[...results, pgbench, pgbenchUnprepared, pgbenchBare].map(
      (measured) => measured.otherWorkPercent ?? 0
    )
  )
  if (busiest > OTHER_WORK_LIMIT) {
    console.log(
      `note: other processes used up to ${busiest} % of the machine during a run ("other %"): ` +
        'these figures understate the server; run again on a quiet machine.'
    )
  }
  for (const note of harness.notes) console.log(`note: ${note}`)
  if (verdicts.some((verdict) => !verdict.pass)) {
    console.log('A target was missed (or a run was not valid). This is a measurement: exit code 0.')
  }
  console.log(line)

  return writeFile(
    RESULTS_FILE,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        command: 'npm run bench',
        machine: host,
        server: mode.label,
        settings,
        pgbench: [pgbench, pgbenchUnprepared, pgbenchBare],
        results,
        ratio: round(ratio, 4),
        ratioUnprepared: round(ratioUnprepared, 4),
        ratioBare: round(ratioBare, 4),
        ...(comparison ? { metricsOnOff: comparison } : {}),
        ...(securityComparison ? { securityOnOff: securityComparison } : {}),
        targets: verdicts,
        notMeasuredYet: NOT_MEASURED_YET,
        ...(simulation ? { simulation } : {}),
        ...(withHistory ? { withHistory } : {}),
        byProcesses: figures.byProcesses,
        notes: harness.notes,
      },
      null,
      2
    ) + '\n'
  )
}
