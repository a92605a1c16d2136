import { readFile } from 'node:fs/promises'
import { cpus, freemem, totalmem } from 'node:os'
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Database } from '@adonisjs/lucid/database'
import type { RedisService } from '@adonisjs/redis/types'
import type { MetricsConfig } from '#config/metrics'
import Backup from '#models/backup'
import type QueueDepth from '#services/queue_depth'
import { QUEUE_STATES } from '#services/queue_depth'
import type ServiceHealth from '#services/service_health'
import WorkerPresence from '#services/worker_presence'
import { sessionLiveSql } from '#rules/session_live'
import { CachedProbe } from '#services/metrics/cached_probe'
import { diskOf, type DiskReading } from '#support/disk'

const CPU_MODES = ['user', 'nice', 'sys', 'idle', 'irq'] as const

export interface SystemGaugeSources {
  db: Database
  redis: RedisService
  queueDepth: QueueDepth
  health: ServiceHealth
  config: Pick<MetricsConfig, 'gaugeCacheMs' | 'probeTimeoutMs' | 'diskPaths'>
  /** "Now" for the live-session rule (the app's Clock). */
  now: () => Promise<Date>
}

/**
 * Leaves a gauge without a sample (prom-client's reset() keeps a 0 for a
 * gauge without labels): unknown is not zero.
 */
function unknown(gauge: Gauge) {
  gauge.reset()
  gauge.remove({})
}

const seconds = (date: Date | null | undefined) => (date ? date.getTime() / 1000 : 0)

/** MemAvailable of /proc/meminfo (what the kernel could hand out), else os.freemem(). */
async function availableMemory() {
  try {
    const meminfo = await readFile('/proc/meminfo', 'utf8')
    const kibibytes = /^MemAvailable:\s+(\d+)\s+kB$/m.exec(meminfo)?.[1]
    if (kibibytes) return Number(kibibytes) * 1024
  } catch {}
  return freemem()
}

/**
 * The gauges of a web process computed when Prometheus scrapes: live
 * sessions, queue depth, the database pool, whether PostgreSQL and Redis
 * answer, the last backup, the job worker's presence and last runs, disks
 * and the host. Each read that costs I/O goes through a CachedProbe (reused
 * a few seconds, bounded in time), so a scrape never waits long and a
 * dependency that is down reads as `*_up 0` or a missing series rather than
 * a failed scrape.
 */
export function registerSystemGauges(registry: Registry, sources: SystemGaugeSources) {
  const { db, redis, health, config } = sources
  const registers = [registry]
  const probe = <T>(read: () => Promise<T>) =>
    new CachedProbe(read, {
      ttlMs: () => config.gaugeCacheMs,
      timeoutMs: config.probeTimeoutMs,
    })
  const presence = new WorkerPresence()

  const databaseProbe = probe(async () => {
    await db.rawQuery('SELECT 1')
    return true
  })
  const redisProbe = probe(async () => (await redis.ping()) === 'PONG')
  const liveSessions = probe(async () => {
    const [row] = await db
      .from('license_sessions')
      .whereRaw(sessionLiveSql(null), [await sources.now()])
      .count('* as total')
    return Number(row.total)
  })
  const queueCounts = probe(() => sources.queueDepth.counts())
  const backups = probe(async () => {
    const [succeeded, finished] = await Promise.all([
      Backup.latestSucceeded(),
      Backup.latestFinished(),
    ])
    return { succeeded, finished }
  })
  const worker = probe(async () => {
    const [lastSeen, runs] = await Promise.all([presence.lastSeen(), presence.lastRuns()])
    return { lastSeen, runs }
  })
  const disks = config.diskPaths.map((path) => ({ path, probe: probe(() => diskOf(path)) }))
  const memory = probe(availableMemory)

  const databaseUp = async () => !health.isDown('database') && (await databaseProbe.get()) === true
  const redisUp = async () => !health.isDown('redis') && (await redisProbe.get()) === true

  new Gauge({
    name: 'keyward_database_up',
    help: 'Whether PostgreSQL answers this process (1) or not (0).',
    registers,
    async collect() {
      this.set((await databaseUp()) ? 1 : 0)
    },
  })
  new Gauge({
    name: 'keyward_redis_up',
    help: 'Whether Redis answers this process (1) or not (0).',
    registers,
    async collect() {
      this.set((await redisUp()) ? 1 : 0)
    },
  })
  new Gauge({
    name: 'keyward_sessions_live',
    help: 'Sessions live right now (last heartbeat younger than the timeout), from the database.',
    registers,
    async collect() {
      unknown(this)
      if (health.isDown('database')) return
      const count = await liveSessions.get()
      if (count !== undefined) this.set(count)
    },
  })
  new Gauge({
    name: 'keyward_db_pool_connections',
    help: 'Connections of the database pool of this process, by state (used, free, pending).',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const pool = db.connection().getWriteClient().client.pool
      this.set({ state: 'used' }, pool.numUsed())
      this.set({ state: 'free' }, pool.numFree())
      this.set({ state: 'pending' }, pool.numPendingAcquires())
    },
  })
  new Gauge({
    name: 'keyward_queue_jobs',
    help: 'Jobs in the BullMQ queue, by state (waiting, active, delayed, failed).',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset()
      if (health.isDown('redis')) return
      const counts = await queueCounts.get()
      if (!counts) return
      for (const state of QUEUE_STATES) this.set({ state }, counts[state] ?? 0)
    },
  })

  const backupSeries = async () => (health.isDown('database') ? undefined : backups.get())
  new Gauge({
    name: 'keyward_backup_last_success_timestamp_seconds',
    help: 'When the last successful backup finished (Unix time; 0 when there never was one).',
    registers,
    async collect() {
      unknown(this)
      const latest = await backupSeries()
      if (latest) this.set(seconds(latest.succeeded?.finishedAt?.toJSDate()))
    },
  })
  new Gauge({
    name: 'keyward_backup_last_size_bytes',
    help: 'Size of the archive of the last successful backup (0 when there never was one).',
    registers,
    async collect() {
      unknown(this)
      const latest = await backupSeries()
      if (latest) this.set(latest.succeeded?.sizeBytes ?? 0)
    },
  })
  new Gauge({
    name: 'keyward_backup_last_run_failed',
    help: 'Whether the last backup attempt that ended failed (1) or not (0).',
    registers,
    async collect() {
      unknown(this)
      const latest = await backupSeries()
      if (latest) this.set(latest.finished?.status === 'failed' ? 1 : 0)
    },
  })
  new Gauge({
    name: 'keyward_backup_last_upload_failed',
    help: 'Whether the off-site upload (BACKUP_UPLOAD_COMMAND) of the last successful backup failed (1) or not (0).',
    registers,
    async collect() {
      unknown(this)
      const latest = await backupSeries()
      if (latest) this.set(latest.succeeded?.uploadError ? 1 : 0)
    },
  })

  const workerSeries = async () => (health.isDown('redis') ? undefined : worker.get())
  new Gauge({
    name: 'keyward_job_worker_last_seen_timestamp_seconds',
    help: 'When a job worker was last alive (Unix time; 0 when none ever was).',
    registers,
    async collect() {
      unknown(this)
      const known = await workerSeries()
      if (known) this.set(seconds(known.lastSeen))
    },
  })
  new Gauge({
    name: 'keyward_job_last_success_timestamp_seconds',
    help: 'When each job last ran successfully (Unix time; 0 when it never did).',
    labelNames: ['job_name'] as const,
    registers,
    async collect() {
      this.reset()
      const known = await workerSeries()
      for (const run of known?.runs ?? [])
        this.set({ job_name: run.job }, seconds(run.lastSuccessAt))
    },
  })

  const diskGauge = (name: string, help: string, pick: (disk: DiskReading) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['path'] as const,
      registers,
      async collect() {
        this.reset()
        for (const disk of disks) {
          const found = await disk.probe.get()
          if (found) this.set({ path: disk.path }, pick(found))
        }
      },
    })
  diskGauge(
    'keyward_disk_free_bytes',
    'Free space (for unprivileged users) on the disk of each folder the app writes to.',
    (disk) => disk.free
  )
  diskGauge(
    'keyward_disk_size_bytes',
    'Size of the disk of each folder the app writes to.',
    (disk) => disk.size
  )

  /*
   * A reading of the kernel's own counters: reset and set again at each
   * scrape, a counter all the same (it only grows until the host reboots).
   */
  new Counter({
    name: 'keyward_host_cpu_seconds_total',
    help: 'CPU time of the whole host since boot, summed over its CPUs, by mode (os.cpus()).',
    labelNames: ['mode'] as const,
    registers,
    collect() {
      const totals = Object.fromEntries(CPU_MODES.map((mode) => [mode, 0]))
      for (const cpu of cpus()) for (const mode of CPU_MODES) totals[mode] += cpu.times[mode]
      this.reset()
      for (const mode of CPU_MODES) this.inc({ mode }, totals[mode] / 1000)
    },
  })
  new Gauge({
    name: 'keyward_host_cpus',
    help: 'CPUs of the host.',
    registers,
    collect() {
      this.set(cpus().length)
    },
  })
  new Gauge({
    name: 'keyward_host_memory_total_bytes',
    help: 'Memory of the host.',
    registers,
    collect() {
      this.set(totalmem())
    },
  })
  new Gauge({
    name: 'keyward_host_memory_available_bytes',
    help: 'Memory of the host available to new work (MemAvailable, else free memory).',
    registers,
    async collect() {
      this.set((await memory.get()) ?? freemem())
    },
  })
}
