/*
| Other work on the machine.
|
| On a shared machine, a test run elsewhere halves the figures. Each phase
| measures the CPU time that processes outside this run used meanwhile:
| everything but this process and its children, PostgreSQL's own processes
| and the kernel's threads, plus PostgreSQL backends serving other databases.
*/
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import type pg from 'pg'
import { round } from './harness.ts'

/** Above this share of the machine, a phase's figures are flagged as disturbed. */
export const OTHER_WORK_LIMIT = 5

const CLOCK_TICKS_PER_SECOND = 100

type ProcessTimes = Map<number, { ppid: number; comm: string; ticks: number }>

async function processTimes(): Promise<ProcessTimes> {
  const times: ProcessTimes = new Map()
  const entries = await readdir('/proc').catch(() => [])
  const pids = entries.filter((name) => /^\d+$/.test(name))
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
        const close = stat.lastIndexOf(')')
        const fields = stat.slice(close + 2).split(' ')
        times.set(Number(pid), {
          comm: stat.slice(stat.indexOf('(') + 1, close),
          ppid: Number(fields[1]),
          // Its own time and that of the children it has reaped: short-lived
          // processes show up in their parent's figure.
          ticks: fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0),
        })
      } catch {}
    })
  )
  return times
}

async function otherBackends(client: pg.Client) {
  const { rows } = await client.query(
    `SELECT pid FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND datname IS DISTINCT FROM current_database()`
  )
  return new Set(rows.map((row) => row.pid as number))
}

function isForeign(pid: number, times: ProcessTimes, backends: Set<number>) {
  const entry = times.get(pid)!
  if (entry.comm === 'postgres') return backends.has(pid)
  if (pid === 2 || entry.ppid === 2) return false
  for (let current: number | undefined = pid; current; current = times.get(current)?.ppid) {
    if (current === process.pid) return false
  }
  return true
}

/** Starts counting; the function returned gives other processes' share of the machine, in %. */
async function watchOtherWork(client: pg.Client) {
  if (!existsSync('/proc/stat')) return async () => Number.NaN
  const before = await processTimes()
  const backendsBefore = await otherBackends(client)
  const since = performance.now()
  return async () => {
    const after = await processTimes()
    const backends = new Set([...backendsBefore, ...(await otherBackends(client))])
    let ticks = 0
    for (const [pid, entry] of after) {
      if (!isForeign(pid, after, backends)) continue
      const previous = before.get(pid)
      ticks += Math.max(0, entry.ticks - (previous?.ticks ?? 0))
    }
    const seconds = (performance.now() - since) / 1000
    return round((100 * ticks) / CLOCK_TICKS_PER_SECOND / (seconds * availableParallelism()))
  }
}

/** Runs one measurement and records how much of the machine other work took meanwhile. */
export async function whileWatchingOtherWork<T extends { otherWorkPercent?: number }>(
  client: pg.Client,
  measure: () => Promise<T>
) {
  const otherWork = await watchOtherWork(client)
  const measured = await measure()
  measured.otherWorkPercent = await otherWork()
  return measured
}
